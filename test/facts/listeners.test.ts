import { describe, expect, it } from 'vitest';
import { holdsAddress, parseProcNetSockets, parseSsListeners } from '../../src/facts/listeners.js';
import { recordedStdout } from '../helpers/recorded.js';
import { fixtureText, hostSnapshot, snapshotOf } from '../helpers/recordings.js';

// The live host as root while another session's lab ran (test/fixtures/snapshots/README.md).
const live = snapshotOf(hostSnapshot('live-root-icc-off'));

describe('UDP listeners', () => {
  it('reads ss as root: aardvark-dns on each gateway, with its pid', () => {
    const listeners = parseSsListeners(recordedStdout(live, ['ss', '-Hlnup']).stdout);
    const gateway = listeners.find((listener) => listener.address === '10.89.0.1' && listener.port === 53);
    expect(gateway).toMatchObject({ wildcard: false, owners: [{ name: 'aardvark-dns' }] });
  });

  it("reads a wildcard dnsmasq (Debian's default configuration) in both families", () => {
    const listeners = parseSsListeners(fixtureText('netns/wildcard-dnsmasq.ss.txt'));
    expect(
      listeners.map((listener) => [listener.address, listener.port, listener.wildcard, listener.owners[0]?.name]),
    ).toEqual([
      ['0.0.0.0', 53, true, 'dnsmasq'],
      ['::', 53, true, 'dnsmasq'],
    ]);
    const [ipv4, ipv6] = listeners;
    expect(holdsAddress(ipv4!, '10.89.0.1', 53)).toBe(true);
    expect(holdsAddress(ipv6!, '10.89.0.1', 53)).toBe(false);
    expect(holdsAddress(ipv4!, '10.89.0.1', 1153)).toBe(false);
  });

  it('reads /proc/net/udp and udp6, which need no root but name no process', () => {
    const ipv4 = parseProcNetSockets(fixtureText('netns/wildcard-dnsmasq.proc-net-udp.txt'), '/proc/net/udp', 'udp');
    const ipv6 = parseProcNetSockets(fixtureText('netns/wildcard-dnsmasq.proc-net-udp6.txt'), '/proc/net/udp6', 'udp');
    expect(ipv4).toEqual([expect.objectContaining({ address: '0.0.0.0', port: 53, wildcard: true, owners: [] })]);
    expect(ipv6).toEqual([expect.objectContaining({ address: '::', port: 53, wildcard: true })]);
  });
});
