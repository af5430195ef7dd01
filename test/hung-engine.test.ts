import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Report } from '../src/core/report.js';
import { reportSchemaProblems } from './helpers/schema.js';

// A live run of engine.reachable against engine CLIs faked in a temporary PATH: they hang, or fail at once. It reads
// only the stats of the PATH folders and runs only the fakes: no root, no real engine.

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Live processes whose argv is exactly `sleep <duration>`. */
function sleepers(duration: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const [command, argument] = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return command === 'sleep' && argument === duration;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function gone(duration: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40 && sleepers(duration).length > 0; attempt++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return sleepers(duration).length === 0;
}

const bin = mkdtempSync(join(tmpdir(), 'netdoctor-hung-engine-'));
// Durations no other process uses, so that the test finds only what its fakes started.
const ESCAPED = `40.${process.pid}1`;
const HUNG = `40.${process.pid}2`;

afterEach(() => {
  vi.unstubAllEnvs();
  for (const pid of [...sleepers(ESCAPED), ...sleepers(HUNG)]) process.kill(pid, 'SIGKILL');
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('a podman CLI that hangs', () => {
  it('is named as a timeout, not as a failure to start, and leaves no process behind', async () => {
    writeFileSync(join(bin, 'podman'), `#!/bin/sh\nsetsid sleep ${ESCAPED} &\nexec sleep ${HUNG}\n`, { mode: 0o755 });
    writeFileSync(
      join(bin, 'docker'),
      '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    vi.stubEnv('PATH', `${bin}:/usr/bin:/bin`);
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent.sock');
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await main(['--only', 'engine.reachable', '--command-timeout', '1', '--timeout', '6', '--json'], {
      stdout,
      stderr,
      env: {},
    });
    const report = JSON.parse(stdout.text) as Report;
    expect(reportSchemaProblems(report)).toBe('');
    const podman = report.findings.find((finding) => finding.subject.engine === 'podman');
    expect(podman).toMatchObject({
      id: 'engine.unreachable',
      title: 'Podman does not answer: `podman info` timed out after 1 s',
    });
    expect(podman!.explanation).toMatch(/That is a hang, not a failure to start/);
    expect(podman!.explanation).toMatch(/--command-timeout/);
    expect(podman!.evidence[0]).toMatchObject({
      what: 'podman info --format json',
      // The setsid child kept the fake's output open until netdoctor ended it.
      excerpt: '(timed out after 1 s (a child process that left its process group held the output))',
    });
    expect(report.engines).toContainEqual(
      expect.objectContaining({
        engine: 'podman',
        reachable: false,
        reason: expect.stringMatching(/within 1 s: podman hangs/),
      }),
    );
    expect(code).toBe(1);
    expect(await gone(ESCAPED)).toBe(true);
    expect(await gone(HUNG)).toBe(true);
  });
});
