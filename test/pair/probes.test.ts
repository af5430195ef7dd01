import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/core/host.js';
import {
  LISTENING_ARGV,
  hostsAddress,
  inNetworkNamespace,
  interpretConnect,
  interpretLookup,
  interpretPing,
  listenState,
  parseListening,
} from '../../src/pair/probes.js';
import { recordedCommandWith } from '../helpers/why-recordings.js';

function synthetic(fields: Partial<CommandResult>): CommandResult {
  return {
    argv: ['nsenter', '--target=1', '--net', 'busybox'],
    exitCode: 1,
    stdout: '',
    stderr: '',
    durationMs: 1,
    timedOut: false,
    ...fields,
  };
}

describe('the probes, on what they printed on the lab host', () => {
  it('ping: a reply, and no reply where docker drops inter-container traffic', () => {
    expect(interpretPing(recordedCommandWith('healthy-podman', 'ping')).outcome).toBe('reply');
    expect(interpretPing(recordedCommandWith('icc-off', 'ping'))).toEqual({
      outcome: 'no_reply',
      detail: 'no echo reply within 2 s',
    });
  });

  it('ping: "permission denied" is no CAP_NET_RAW, not a blocked path', () => {
    const denied = interpretPing(synthetic({ stderr: 'ping: permission denied (are you root?)\n' }));
    expect(denied.outcome).toBe('not_permitted');
    expect(denied.detail).toMatch(/no CAP_NET_RAW/);
  });

  it('TCP: open, refused (loopback only), and dropped (icc off)', () => {
    expect(interpretConnect(recordedCommandWith('healthy-podman', 'nc')).outcome).toBe('open');
    expect(interpretConnect(recordedCommandWith('loopback-only', 'nc')).outcome).toBe('refused');
    const dropped = recordedCommandWith('icc-off', 'nc');
    expect(dropped.stderr).toMatch(/timed out/);
    expect(interpretConnect(dropped).outcome).toBe('timeout');
  });

  it('TCP: an nsenter that fails is a probe that could not run', () => {
    const failed = interpretConnect(synthetic({ stderr: 'nsenter: cannot open /proc/1/ns/net: Permission denied\n' }));
    expect(failed.outcome).toBe('error');
    expect(failed.detail).toMatch(/nsenter: cannot open/);
    expect(
      interpretConnect(synthetic({ exitCode: null, error: { code: 'ENOTRECORDED', message: 'was not recorded' } }))
        .outcome,
    ).toBe('error');
  });

  it("DNS: the answer of aardvark-dns and of docker's embedded DNS", () => {
    const aardvark = interpretLookup(recordedCommandWith('healthy-podman', 'nslookup'));
    expect(aardvark.outcome).toBe('resolved');
    expect(aardvark.addresses).toHaveLength(1);
    expect(aardvark.addresses[0]).toMatch(/^10\.89\./);
    expect(interpretLookup(recordedCommandWith('icc-off', 'nslookup', 'nd-why-db', '127.0.0.11')).outcome).toBe(
      'resolved',
    );
  });

  it('DNS: NXDOMAIN, silence and a refusal are told apart', () => {
    const stdout = 'Server:\t\t10.89.0.1\nAddress:\t10.89.0.1:53\n\n';
    expect(interpretLookup(synthetic({ stdout: `${stdout}** server can't find db: NXDOMAIN\n\n` })).outcome).toBe(
      'nxdomain',
    );
    expect(interpretLookup(synthetic({ exitCode: 124 })).outcome).toBe('no_answer');
    expect(
      interpretLookup(
        synthetic({
          exitCode: 124,
          stderr: 'nslookup: read: Connection refused\nnslookup: read: Connection refused\n',
        }),
      ).outcome,
    ).toBe('refused');
    expect(interpretLookup(synthetic({ stdout: `${stdout}** server can't find db: REFUSED\n` }))).toMatchObject({
      outcome: 'failed',
      detail: 'the server answered REFUSED',
    });
  });

  it("listening sockets: wildcard, loopback only, and docker's own DNS socket", () => {
    const healthy = parseListening(recordedCommandWith('healthy-podman', ...LISTENING_ARGV).stdout);
    expect(listenState(healthy, 80, '10.89.0.2')).toEqual({ state: 'reachable', on: ['*:80'] });
    expect(listenState(healthy, 5432, '10.89.0.2').state).toBe('nothing');
    const loopback = parseListening(recordedCommandWith('loopback-only', ...LISTENING_ARGV).stdout);
    expect(listenState(loopback, 5432, '10.89.0.2')).toEqual({ state: 'loopback_only', on: ['127.0.0.1:5432'] });
    expect(listenState(loopback, 5432, '127.0.0.1').state).toBe('reachable');
    const docker = parseListening(recordedCommandWith('icc-off', ...LISTENING_ARGV).stdout);
    expect(docker.some((socket) => socket.address === '127.0.0.11')).toBe(true);
    expect(
      listenState(docker, docker.find((socket) => socket.address === '127.0.0.11')!.port, '172.17.0.2').state,
    ).toBe('nothing');
  });

  it('listening sockets: IPv6 and bound addresses', () => {
    const sockets = parseListening(
      'LISTEN 0 128 [::]:22 [::]:*\nLISTEN 0 5 10.89.0.7:8080 0.0.0.0:*\nLISTEN 0 5 [::1]:6379 [::]:*\n',
    );
    expect(sockets).toEqual([
      { address: '::', port: 22 },
      { address: '10.89.0.7', port: 8080 },
      { address: '::1', port: 6379 },
    ]);
    expect(listenState(sockets, 8080, '10.89.0.9').state).toBe('other_address');
    expect(listenState(sockets, 6379, '10.89.0.9').state).toBe('loopback_only');
  });

  it('/etc/hosts: the first line that names the host', () => {
    expect(
      hostsAddress('127.0.0.1 localhost\n10.89.0.3 nd-why-pod abc-infra\n127.0.0.1 nd-why-db # pod\n', 'ND-WHY-DB'),
    ).toBe('127.0.0.1');
    expect(hostsAddress('# 10.0.0.1 nd-why-db\n', 'nd-why-db')).toBeUndefined();
  });

  it('enters a rootless namespace through podman unshare', () => {
    expect(inNetworkNamespace({ pid: 42, scope: 'rootful' }, LISTENING_ARGV)).toEqual([
      'nsenter',
      '--target=42',
      '--net',
      'ss',
      '-H',
      '-l',
      '-t',
      '-n',
    ]);
    expect(inNetworkNamespace({ pid: 42, scope: 'rootless' }, ['true'])).toEqual([
      'podman',
      'unshare',
      'nsenter',
      '--target=42',
      '--net',
      'true',
    ]);
  });
});
