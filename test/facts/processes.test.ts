import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CAP_NET_RAW_BIT,
  parseCmdline,
  parsePidFile,
  parseProcessStatus,
  parseRange,
  parseStatusNameState,
} from '../../src/facts/processes.js';
import { recordedFile, recordedSnapshot } from '../helpers/recorded.js';
import { hostSnapshot, snapshotOf } from '../helpers/recordings.js';

describe('parseProcessStatus', () => {
  // The kernel's own /proc/<pid>/status of this test process: real input, checked against what node knows.
  const content = readFileSync('/proc/self/status', 'utf8');
  const status = parseProcessStatus(content);

  it('reads the effective group and the supplementary groups', () => {
    expect(status.effectiveGid).toBe(process.getegid?.());
    // node adds the effective group to getgroups(); the kernel's Groups line may not have it.
    const kernelGroups = new Set([...status.groups, status.effectiveGid]);
    expect([...kernelGroups].sort((a, b) => a - b)).toEqual([...new Set(process.getgroups?.())].sort((a, b) => a - b));
  });

  it('reads the effective capabilities as a bit set', () => {
    const line = content.split('\n').find((candidate) => candidate.startsWith('CapEff:'));
    expect(status.capEff.toString(16).padStart(16, '0')).toBe(line?.split(/\s+/)[1]);
    expect(status.excerpt).toMatch(/^CapEff: [0-9a-f]{16}; Gid: \d+\t\d+\t\d+\t\d+; Groups: /);
  });

  it("tests CAP_NET_RAW as bit 13: set in docker's default capabilities, not in podman's", () => {
    const netRaw = (capEff: string) =>
      (parseProcessStatus(content.replace(/CapEff:\t\w+/, `CapEff:\t${capEff}`)).capEff >> CAP_NET_RAW_BIT) & 1n;
    expect(netRaw('00000000a80425fb')).toBe(1n);
    expect(netRaw('00000000800405fb')).toBe(0n);
  });

  it('throws on a status without CapEff or Gid', () => {
    expect(() => parseProcessStatus(content.replace(/^CapEff:.*$/m, ''))).toThrow('no CapEff or Gid line');
  });
});

describe('parseRange', () => {
  it('reads the ping_group_range the kernel printed, separated by a tab', () => {
    expect(
      parseRange(recordedFile(recordedSnapshot('healthy-rootless'), '/proc/sys/net/ipv4/ping_group_range').content),
    ).toEqual({ low: 1, high: 0 });
  });

  it('refuses what is not two numbers', () => {
    expect(parseRange('1')).toBeUndefined();
    expect(parseRange('one two')).toBeUndefined();
  });
});

describe('pid files, status and command lines', () => {
  // The live host as root while another session's lab ran (test/fixtures/snapshots/README.md).
  const live = snapshotOf(hostSnapshot('live-root-icc-off'));

  it("reads aardvark-dns's pid file and status", () => {
    expect(parsePidFile(recordedFile(live, '/run/containers/networks/aardvark-dns/aardvark.pid').content)).toBe(18035);
    expect(parseStatusNameState(recordedFile(live, '/proc/18035/status').content)).toEqual({
      name: 'aardvark-dns',
      state: 'S',
    });
    expect(parseCmdline(recordedFile(live, '/proc/18035/cmdline').content)).toEqual([
      '/usr/lib/podman/aardvark-dns',
      '--config',
      '/run/containers/networks/aardvark-dns',
      '-p',
      '53',
      'run',
    ]);
    expect(parsePidFile('\n')).toBeUndefined();
  });
});
