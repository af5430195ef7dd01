import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LiveHost } from '../../src/host/live.js';

// These tests run real commands (printf, sh, sleep, readlink) and read real files: no root, no engine.

/** Pids of live processes whose argv is exactly `sleep <marker>`; zombies have an empty cmdline and do not count. */
function sleepersWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv[0] === 'sleep' && argv[1] === marker) pids.push(Number(entry));
  }
  return pids;
}

/** The group kill is asynchronous in the kernel: allow the dying processes a moment to be gone. */
async function survivorsAfterAWhile(marker: string): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (sleepersWith(marker).length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return sleepersWith(marker);
}

let markerCount = 0;
const markersUsed: string[] = [];
/** A sleep duration no other process on the machine uses, so that the test finds only its own sleeps. */
function uniqueSleep(): string {
  markerCount += 1;
  const marker = `30.${process.pid}${String(markerCount).padStart(3, '0')}`;
  markersUsed.push(marker);
  return marker;
}

afterEach(() => {
  // Only the processes this file started (their argv carries its markers), even when an assertion failed.
  for (const marker of markersUsed.splice(0)) {
    for (const pid of sleepersWith(marker)) process.kill(pid, 'SIGKILL');
  }
});

describe('LiveHost.run', () => {
  const host = new LiveHost();

  it('passes arguments as argv, never through a shell', async () => {
    const hostile = 'a; echo injected $(id) `id` > /tmp/x';
    const result = await host.run(['printf', '%s\n', hostile]);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${hostile}\n`, stderr: '', timedOut: false });
    expect(result.error).toBeUndefined();
  });

  it('sets LC_ALL=C and LANG=C, whatever the caller has', async () => {
    vi.stubEnv('LC_ALL', 'de_DE.UTF-8');
    vi.stubEnv('LANG', 'de_DE.UTF-8');
    try {
      const result = await host.run(['sh', '-c', 'printf "%s|%s" "$LC_ALL" "$LANG"']);
      expect(result.stdout).toBe('C|C');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('gives the command /dev/null as stdin, so nothing can wait for input', async () => {
    const result = await host.run(['readlink', '/proc/self/fd/0']);
    expect(result.stdout).toBe('/dev/null\n');
  });

  it('reports a missing binary as ENOENT without throwing', async () => {
    const result = await host.run(['netdoctor-test-no-such-binary']);
    expect(result).toMatchObject({ exitCode: null, stdout: '', timedOut: false, error: { code: 'ENOENT' } });
  });

  it('reports a non-zero exit with its output, which is not an error of the host', async () => {
    const result = await host.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    expect(result.error).toBeUndefined();
  });

  it('reports a command killed by a signal', async () => {
    const result = await host.run(['sh', '-c', 'kill -TERM $$']);
    expect(result).toMatchObject({
      exitCode: null,
      timedOut: false,
      error: { code: 'ESIGNAL', message: 'killed by SIGTERM' },
    });
  });

  it('refuses an empty command', async () => {
    expect(await host.run([])).toMatchObject({ exitCode: null, error: { code: 'EINVAL' } });
  });

  it('ends a command that outlives its timeout, and its children with it', async () => {
    const marker = uniqueSleep();
    const started = performance.now();
    const result = await host.run(['sh', '-c', `sleep ${marker} & sleep ${marker}`], { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result).toMatchObject({ exitCode: null, timedOut: true, error: { code: 'ETIMEDOUT' } });
    expect(await survivorsAfterAWhile(marker)).toEqual([]);
  });

  it('ends a grandchild that holds stdout after the command itself exited', async () => {
    const marker = uniqueSleep();
    const started = performance.now();
    const result = await host.run(['sh', '-c', `sleep ${marker} & exit 0`], { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result).toMatchObject({ exitCode: null, timedOut: true, error: { code: 'ETIMEDOUT' } });
    expect(await survivorsAfterAWhile(marker)).toEqual([]);
  });

  it('ends a process that left the process group (setsid) and holds stdout, when the command times out', async () => {
    const marker = uniqueSleep();
    const started = performance.now();
    const result = await host.run(['sh', '-c', `setsid sleep ${marker} & exit 0`], { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result).toMatchObject({ exitCode: null, timedOut: true, timeoutMs: 300, error: { code: 'ETIMEDOUT' } });
    expect(result.error?.message).toBe(
      'timed out after 0.3 s (a child process that left its process group held the output)',
    );
    expect(await survivorsAfterAWhile(marker)).toEqual([]);
  });

  it('ends a setsid child that let go of the output, when the command times out', async () => {
    const [child, command] = [uniqueSleep(), uniqueSleep()];
    const result = await host.run(['sh', '-c', `setsid sleep ${child} >/dev/null 2>&1 & sleep ${command}`], {
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ timedOut: true, error: { message: 'timed out after 0.3 s' } });
    expect(await survivorsAfterAWhile(child)).toEqual([]);
    expect(await survivorsAfterAWhile(command)).toEqual([]);
  });

  it('leaves the daemons of a command that ends by itself (rootless podman keeps a pause process)', async () => {
    const daemon = uniqueSleep();
    const result = await host.run(['sh', '-c', `setsid sleep ${daemon} >/dev/null 2>&1 & exit 0`], {
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sleepersWith(daemon)).toHaveLength(1);
  });

  it('marks each command with a value of its own, which its children inherit', async () => {
    const [first, second] = await Promise.all([
      host.run(['sh', '-c', 'printf %s "$NETDOCTOR_COMMAND"']),
      host.run(['sh', '-c', 'sh -c \'printf %s "$NETDOCTOR_COMMAND"\'']),
    ]);
    expect(first!.stdout).toMatch(/^[0-9a-f-]{36}-\d+$/);
    expect(second!.stdout).toMatch(/^[0-9a-f-]{36}-\d+$/);
    expect(first!.stdout).not.toBe(second!.stdout);
  });
});

describe('an engine CLI that hangs, faked in a temporary PATH', () => {
  const bin = mkdtempSync(join(tmpdir(), 'netdoctor-fake-cli-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('is ended with the child it started with setsid, and reported as a timeout', async () => {
    const [escaped, hung] = [uniqueSleep(), uniqueSleep()];
    writeFileSync(join(bin, 'podman'), `#!/bin/sh\nsetsid sleep ${escaped} &\nexec sleep ${hung}\n`, { mode: 0o755 });
    vi.stubEnv('PATH', `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`);
    try {
      const result = await new LiveHost({ commandTimeoutMs: 400 }).run(['podman', 'info', '--format', 'json']);
      expect(result).toMatchObject({ exitCode: null, timedOut: true, timeoutMs: 400, error: { code: 'ETIMEDOUT' } });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(await survivorsAfterAWhile(escaped)).toEqual([]);
    expect(await survivorsAfterAWhile(hung)).toEqual([]);
  });
});

describe('LiveHost files, folders and stats', () => {
  const host = new LiveHost();
  const dir = mkdtempSync(join(tmpdir(), 'netdoctor-live-'));
  writeFileSync(join(dir, 'b.txt'), 'content\n');
  writeFileSync(join(dir, 'a.txt'), '');
  symlinkSync(join(dir, 'b.txt'), join(dir, 'link'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file', async () => {
    expect(await host.readFile(join(dir, 'b.txt'))).toEqual({
      path: join(dir, 'b.txt'),
      ok: true,
      content: 'content\n',
    });
  });

  it('gives error codes for a missing file, a folder and a file too large to read whole', async () => {
    const large = join(dir, 'large');
    writeFileSync(large, '');
    truncateSync(large, 5 * 1024 * 1024);
    expect(await host.readFile(join(dir, 'missing'))).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect(await host.readFile(dir)).toMatchObject({ ok: false, error: { code: 'EISDIR' } });
    expect(await host.readFile(large)).toMatchObject({ ok: false, error: { code: 'EFBIG' } });
  });

  it('lists a folder sorted, and gives error codes for a missing folder and a file', async () => {
    const listing = await host.readDir(dir);
    expect(listing.ok && listing.entries.filter((entry) => entry !== 'large')).toEqual(['a.txt', 'b.txt', 'link']);
    expect(await host.readDir(join(dir, 'missing'))).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect(await host.readDir(join(dir, 'b.txt'))).toMatchObject({ ok: false, error: { code: 'ENOTDIR' } });
  });

  it('stats through symbolic links, with permission bits and device numbers', async () => {
    expect(await host.stat(join(dir, 'link'))).toMatchObject({ ok: true, stat: { type: 'file', size: 8 } });
    expect(await host.stat('/dev/null')).toMatchObject({
      ok: true,
      stat: { type: 'char', mode: 0o666, rdev: { major: 1, minor: 3 } },
    });
    expect(await host.stat(join(dir, 'missing'))).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect(await host.stat(join(dir, 'b.txt', 'below-a-file'))).toMatchObject({
      ok: false,
      error: { code: 'ENOTDIR' },
    });
  });
});
