import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/core/report.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BINARY = join(REPO, `dist/netdoctor-${process.platform}-${process.arch}`);
const SNAPSHOTS = ['test/fixtures/snapshots', 'test/fixtures/snapshots/lab'].flatMap((dir) =>
  readdirSync(join(REPO, dir))
    .filter((name) => name.endsWith('.json') && !name.endsWith('.report.json'))
    .map((name) => join(REPO, dir, name)),
);

/** What differs between two runs on the same snapshot: when they ran and how long they took. */
function timeless(stdout: string): unknown {
  const report = JSON.parse(stdout) as Report;
  return {
    ...report,
    startedAt: 'ran',
    durationMs: 0,
    checks: report.checks.map((check) => ({ ...check, durationMs: 0 })),
  };
}

/** Runs a handful of commands at a time: each is a whole process. */
async function inTurn<T, R>(items: readonly T[], work: (item: T) => Promise<R>, width = 4): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]!);
    }),
  );
  return results;
}

describe('the single executable (npm run build:binary)', () => {
  const emptyPath = mkdtempSync(join(tmpdir(), 'netdoctor-no-node-'));

  beforeAll(async () => {
    // Rebuilt only when the code or this node changed since the last build (the build says "up to date").
    await execa(process.execPath, [join(REPO, 'scripts/build.mjs'), 'binary'], { cwd: REPO });
  }, 300_000);

  afterAll(() => rmSync(emptyPath, { recursive: true, force: true }));

  /** The executable with a PATH that holds no node (nor anything else), from a folder outside the checkout. */
  const standalone = (args: string[]) =>
    execa(BINARY, args, { cwd: emptyPath, env: { PATH: emptyPath, NO_COLOR: '1' }, extendEnv: false, reject: false });
  const bundled = (args: string[]) =>
    execa(process.execPath, [join(REPO, 'bin/netdoctor'), ...args], {
      cwd: emptyPath,
      env: { NO_COLOR: '1' },
      extendEnv: false,
      reject: false,
    });

  it('runs where no node is on PATH', async () => {
    const node = await execa('node', ['-e', '0'], { env: { PATH: emptyPath }, extendEnv: false, reject: false });
    expect(node.failed).toBe(true);
    const version = await standalone(['--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe((await bundled(['--version'])).stdout);
  });

  it(`gives bin/netdoctor's report on every recorded snapshot (${SNAPSHOTS.length})`, async () => {
    const runs = await inTurn(SNAPSHOTS, async (snapshot) => {
      const args = ['--replay', snapshot, '--json'];
      const [binary, script] = await Promise.all([standalone(args), bundled(args)]);
      return { snapshot, binary, script };
    });
    for (const { snapshot, binary, script } of runs) {
      expect(binary.exitCode, snapshot).toBe(script.exitCode);
      expect(binary.stderr, snapshot).toBe(script.stderr);
      expect(timeless(binary.stdout), snapshot).toEqual(timeless(script.stdout));
    }
  }, 600_000);

  it('prints the same human report, list and explanation', async () => {
    for (const args of [
      ['--replay', join(REPO, 'test/fixtures/snapshots/healthy-rootless.json'), '--verbose'],
      ['list'],
      ['explain', 'ctr.ping_without_net_raw'],
    ]) {
      const [binary, script] = await Promise.all([standalone(args), bundled(args)]);
      const withoutDuration = (text: string) => text.replace(/· \d+ ms/g, '· N ms');
      expect(withoutDuration(binary.stdout), args.join(' ')).toBe(withoutDuration(script.stdout));
      expect(binary.exitCode).toBe(script.exitCode);
    }
  }, 120_000);

  it('loads plug-in checks (through require: the executable has no import())', async () => {
    const args = ['list', '--checks-dir', join(REPO, 'examples/checks')];
    const [binary, script] = await Promise.all([standalone(args), bundled(args)]);
    expect(binary.stderr).toBe('');
    expect(binary.stdout).toContain('site.reserved-ports');
    expect(binary.stdout).toBe(script.stdout);
  });
});
