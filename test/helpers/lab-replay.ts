import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Severity } from '../../src/core/types.js';
import type { Report } from '../../src/core/report.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';

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

export interface RecordedCases {
  id: string;
  severity: Severity;
  /** Snapshots where the id is reported at this severity, with what its title must say there. */
  broken: { snapshot: string; title: RegExp; namespaces?: string[] }[];
  /** Snapshots where the id is absent. */
  passing: string[];
}

/** A finding id on recorded hosts: reported where the lab broke what it names, absent once its printed fix ran. */
export function describeRecordedCases(cases: RecordedCases): void {
  describe(`${cases.id} on recorded hosts`, () => {
    it.each(cases.broken)('is reported on $snapshot', async ({ snapshot, title, namespaces }) => {
      const { report } = await replayLab(snapshot);
      const found = report.findings.filter((item) => item.id === cases.id);
      expect(found.map((item) => item.severity)).toContain(cases.severity);
      expect(found.some((item) => title.test(item.title))).toBe(true);
      if (namespaces !== undefined)
        expect(found.some((item) => namespaces.every((name) => item.subject.namespaces?.includes(name)))).toBe(true);
    });
    it.each(cases.passing)('is absent on %s', async (snapshot) => {
      const { report } = await replayLab(snapshot);
      expect(report.findings.filter((item) => item.id === cases.id)).toEqual([]);
    });
  });
}

/** A lab snapshot, for a FakeHost. */
export function labSnapshot(name: string): Snapshot {
  const path = `${LAB_SNAPSHOTS}${name}.json`;
  return parseSnapshot(readFileSync(path, 'utf8'), path);
}
