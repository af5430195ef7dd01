import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { repoRoot } from '../fuzz/fuzz.js';
import { recordedSnapshots } from '../fuzz/snapshots.js';
import { validateSnapshot } from '../helpers/snapshot.js';

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const recorded = recordedSnapshots(repoRoot());
const dir = mkdtempSync(join(tmpdir(), 'netdoctor-snapshot-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema/snapshot.schema.json', () => {
  it('accepts every snapshot recorded in test/fixtures', () => {
    expect(recorded.length).toBeGreaterThan(100);
    const refused = recorded
      .map((entry) => [entry.path, validateSnapshot(JSON.parse(entry.text))] as const)
      .filter(([, problem]) => problem !== undefined);
    expect(refused).toEqual([]);
  });

  it.each([
    [
      'a stat without its status',
      (data: Record<string, unknown>) => ((data.stats as unknown[])[0] = { path: '/x', ok: true }),
      /\/stats\/0 must have required property 'stat'$/,
    ],
    [
      'a user that is not text',
      (data: Record<string, unknown>) => ((data.context as Record<string, unknown>).user = 7),
      /\/context\/user must be string$/,
    ],
    [
      'an exit code that is text',
      (data: Record<string, unknown>) => ((data.commands as Record<string, unknown>[])[0]!.exitCode = '0'),
      /\/commands\/0\/exitCode must be integer$/,
    ],
  ])('makes a replay of %s a usage error (64) that names the first problem', async (_what, change, problem) => {
    const data = JSON.parse(recorded[0]!.text) as Record<string, unknown>;
    change(data);
    const file = join(dir, 'mutated.json');
    writeFileSync(file, JSON.stringify(data));
    const stdout = new Capture();
    const stderr = new Capture();
    expect(await main(['--replay', file, '--json'], { stdout, stderr, env: {} })).toBe(64);
    expect(stdout.text).toBe('');
    expect(stderr.text.trim()).toMatch(new RegExp(`^netdoctor: ${file} is not a valid snapshot: `));
    expect(stderr.text.trim()).toMatch(problem);
  });
});
