// The lab's run lock and its time-limit scale: the parts of test/lab that need no root and no engine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScale, stretchedNetdoctorLimits } from './lab/lib/load.js';
import { takeLabRunLock } from './lab/lib/run-lock.js';

describe('loadScale', () => {
  it('keeps the limits of a quiet host and stretches them by the load per CPU, at most 3 times', () => {
    expect(loadScale(0.4, 2)).toBe(1);
    expect(loadScale(2, 2)).toBe(1);
    expect(loadScale(3.5, 2)).toBe(1.75);
    expect(loadScale(40, 2)).toBe(3);
    expect(loadScale(1, 0)).toBe(1);
  });

  it("stretches netdoctor's own limits the same way, for the host diagnosis and for why", () => {
    expect(stretchedNetdoctorLimits([], 1)).toEqual([]);
    expect(stretchedNetdoctorLimits([], 2)).toEqual(['--timeout', '20', '--command-timeout', '16']);
    expect(stretchedNetdoctorLimits(['why', 'a', 'b', '--port', '80'], 3)).toEqual(['--command-timeout', '7.5']);
    expect(stretchedNetdoctorLimits(['--only', 'x', '--timeout', '150', '--command-timeout', '120'], 3)).toEqual([]);
  });
});

describe('takeLabRunLock', () => {
  let dir: string;
  let holder: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndl-lock-'));
  });
  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Another process that holds the lock: `flock FILE sleep SECONDS`, once /proc/locks shows the lock. */
  async function holdElsewhere(path: string, seconds: number): Promise<ChildProcess> {
    const child = spawn('flock', [path, 'sleep', String(seconds)], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (spawnSync('flock', ['-n', path, 'true']).status !== 0) return child;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the other holder did not take the lock');
  }

  it('takes a free lock and keeps it: another process cannot take it while this one lives', async () => {
    const path = join(dir, 'run.lock');
    const said: string[] = [];
    const outcome = await takeLabRunLock((line) => said.push(line), { path, waitSeconds: 1 });
    expect(outcome.held).toBe('taken');
    expect(said).toEqual([]);
    expect(spawnSync('flock', ['-n', path, 'true']).status).not.toBe(0);
  });

  it('waits a bounded time for another holder, names it, and does not start', async () => {
    const path = join(dir, 'run.lock');
    holder = await holdElsewhere(path, 30);
    const said: string[] = [];
    const started = performance.now();
    const outcome = await takeLabRunLock((line) => said.push(line), { path, waitSeconds: 1 });
    expect(outcome.held).toBe('no');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(outcome.detail).toMatch(/still held after/);
    expect(said.join('\n')).toMatch(/another lab run holds .*waiting for it/);
    // /proc/locks names the process that took the lock: the flock of `flock FILE sleep 30`.
    expect(outcome.detail).toContain(`pid ${holder.pid}: flock ${path} sleep 30`);
  });

  it('takes the lock once the other holder ends within the wait', async () => {
    const path = join(dir, 'run.lock');
    holder = await holdElsewhere(path, 1);
    const outcome = await takeLabRunLock(() => undefined, { path, waitSeconds: 20 });
    expect(outcome).toMatchObject({ held: 'taken' });
    expect(outcome.detail).toMatch(/taken after waiting \d+ s/);
    expect(spawnSync('flock', ['-n', path, 'true']).status).not.toBe(0);
  });
});
