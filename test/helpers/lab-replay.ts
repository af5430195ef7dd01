import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/report.js';

// Snapshots recorded by `node dist/test/lab/run.js record NAME...` on the lab host, in the state their name says:
// <scenario>.broken, <scenario>.fixed (after the fix netdoctor printed), <baseline>.healthy. Replayed through the
// real CLI: no root, no engine, no namespace.

export const LAB_SNAPSHOTS = fileURLToPath(new URL('../fixtures/snapshots/lab/', import.meta.url));

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const replays = new Map<string, Promise<{ code: number; report: Report }>>();

/** `netdoctor [ARGS...] --replay <lab snapshot> --json`, once per snapshot and arguments. */
export function replayLab(snapshot: string, args: readonly string[] = []): Promise<{ code: number; report: Report }> {
  const key = [snapshot, ...args].join(' ');
  let pending = replays.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await main([...args, '--replay', `${LAB_SNAPSHOTS}${snapshot}.json`, '--json'], {
        stdout,
        stderr,
        env: {},
      });
      if (code > 2) throw new Error(`netdoctor --replay ${snapshot} exited ${code}: ${stderr.text}`);
      return { code, report: JSON.parse(stdout.text) as Report };
    })();
    replays.set(key, pending);
  }
  return pending;
}
