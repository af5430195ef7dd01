import { describe, expect, it } from 'vitest';
import { findingsOf, replayReport } from '../../helpers/replay-report.js';

// test/fixtures/wsl/: recorded by test/lab/record-wsl-fixtures.sh with WSL2's kernel release and resolv.conf put in
// place in a throwaway mount and network namespace (this machine cannot be WSL2; the README there says how).

describe('host.wsl2', () => {
  it('says a NAT-mode WSL2 host is one, with the generated resolv.conf as evidence', async () => {
    const report = await replayReport('wsl/wsl2-nat');
    const [found, ...more] = findingsOf(report, 'host.wsl2');
    expect(more).toEqual([]);
    expect(found).toMatchObject({
      severity: 'info',
      title: 'This host is WSL2 (kernel 5.15.146.1-microsoft-standard-WSL2), nat networking',
      subject: {},
      fix: { commands: [] },
    });
    expect(found?.evidence.map((item) => item.what)).toEqual([
      '/proc/sys/kernel/osrelease',
      'ip -j -d link',
      '/etc/resolv.conf',
    ]);
    expect(found?.explanation).toContain('WSL generated /etc/resolv.conf (nameserver 172.24.16.1)');
    expect(found?.explanation).toContain('other machines cannot reach ports published here without a port proxy');
  });

  it('tells mirrored mode by its loopback0 interface, and DNS tunneling by 10.255.255.254', async () => {
    const report = await replayReport('wsl/wsl2-mirrored');
    const [found] = findingsOf(report, 'host.wsl2');
    expect(found?.title).toBe('This host is WSL2 (kernel 5.15.146.1-microsoft-standard-WSL2), mirrored networking');
    expect(found?.evidence[1]).toEqual({
      source: 'command',
      what: 'ip -j -d link',
      excerpt: 'loopback0 present (WSL adds it in mirrored mode)',
    });
    expect(found?.explanation).toContain("10.255.255.254 is WSL's DNS tunneling");
  });

  it('does not apply to this lab host, whose kernel is not a WSL2 kernel', async () => {
    const report = await replayReport('snapshots/healthy-rootless');
    expect(findingsOf(report, 'host.wsl2')).toEqual([]);
    expect(report.checks.find((check) => check.id === 'host.wsl')).toMatchObject({
      status: 'skip',
      skip: 'not_applicable',
    });
  });
});
