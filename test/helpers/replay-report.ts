import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const replays = new Map<string, Promise<Report>>();

/** A fixture under test/fixtures/, by its path there without `.json`. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.json`, import.meta.url));
}

/** The report of `netdoctor --replay <fixture> --json [ARGS]` through the real CLI, once per fixture and arguments. */
export function replayReport(name: string, args: readonly string[] = []): Promise<Report> {
  const key = [name, ...args].join('\u0000');
  let pending = replays.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await main(['--replay', fixturePath(name), '--json', ...args], { stdout, stderr, env: {} });
      if (code !== 0 && code !== 1) throw new Error(`netdoctor --replay ${name} exited ${code}: ${stderr.text}`);
      return JSON.parse(stdout.text) as Report;
    })();
    replays.set(key, pending);
  }
  return pending;
}

export function findingsOf(report: Report, id: string): Finding[] {
  return report.findings.filter((finding) => finding.id === id);
}
