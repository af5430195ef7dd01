import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import { runChecks } from '../../src/pipeline/runner.js';
import type { Check } from '../../src/core/check.js';
import { ENOENT, FakeHost } from './fake-host.js';
import { recordedSnapshot } from './recorded.js';

const readsHostname: Check = {
  id: 'test.reads-hostname',
  title: 'reads /etc/hostname',
  findings: {},
  docs: '',
  async run({ host }) {
    const file = await host.readFile('/etc/hostname');
    return { findings: [], summary: file.ok ? file.content : file.error.code };
  },
};

describe('FakeHost', () => {
  it('answers what the test declared, on top of a recorded snapshot', async () => {
    const host = new FakeHost({
      snapshot: recordedSnapshot('healthy-rootless'),
      files: { '/etc/hostname': 'vm\n', '/proc/sys/net/ipv4/ping_group_range': '0\t2147483647\n' },
      commands: [
        { argv: ['podman', 'ps', '--no-trunc', '--quiet'], exitCode: 125, stderr: 'boom' },
        { argv: ['iptables-save'], error: { code: 'ENOENT', message: 'spawn iptables-save ENOENT' } },
      ],
      stats: { '/dev/net/tun': ENOENT },
    });
    expect(host.context.user).toBe('ndlab');
    expect(await host.readFile('/etc/hostname')).toEqual({ path: '/etc/hostname', ok: true, content: 'vm\n' });
    expect(await host.readFile('/proc/sys/net/ipv4/ping_group_range')).toMatchObject({ content: '0\t2147483647\n' });
    expect(await host.run(['podman', 'ps', '--no-trunc', '--quiet'])).toMatchObject({
      exitCode: 125,
      stdout: '',
      stderr: 'boom',
    });
    expect(await host.run(['iptables-save'])).toMatchObject({ exitCode: null, stdout: '', error: { code: 'ENOENT' } });
    expect(await host.stat('/dev/net/tun')).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect((await host.run(['podman', 'info', '--format', 'json'])).stdout).toContain('"rootless": true');
    expect(host.timesAsked('readFile', '/etc/hostname')).toBe(1);
    expect(host.timesAsked('run', ['podman', 'info', '--format', 'json'])).toBe(1);
  });

  it('throws on a request nobody declared', async () => {
    const host = new FakeHost({ files: { '/etc/hostname': 'vm\n' } });
    await expect(host.run(['rm', '-rf', '/'])).rejects.toThrow('FakeHost: undeclared run rm -rf /');
    await expect(host.readFile('/etc/shadow')).rejects.toThrow('FakeHost: undeclared readFile /etc/shadow');
    expect(host.takeUndeclared()).toEqual(['run rm -rf /', 'readFile /etc/shadow']);
  });

  it.fails(
    'fails the test when a check asked for something undeclared, although the runner caught the throw',
    async () => {
      const host = new FakeHost();
      const [result] = await runChecks([readsHostname], { host, facts: new Facts(host) });
      expect(result?.status).toBe('error');
    },
  );
});
