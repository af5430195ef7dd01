import { describe, expect, it } from 'vitest';
import { cidrsOverlap, freeSubnet, parseCidr, parseIpLinks, parseIpRoutes } from '../../src/facts/ip.js';
import { recordedStdout } from '../helpers/recorded.js';
import { fixtureText, hostSnapshot, snapshotOf } from '../helpers/recordings.js';

// The live host as root while another session's lab ran (test/fixtures/snapshots/README.md).
const live = snapshotOf(hostSnapshot('live-root-icc-off'));

describe('prefixes', () => {
  it('parses IPv4, IPv6 and bare addresses, and tells overlap from disjoint', () => {
    const podman = parseCidr('10.89.0.0/24')!;
    expect(podman).toMatchObject({ family: 4, prefix: 24 });
    expect(cidrsOverlap(podman, parseCidr('10.89.0.128/25')!)).toBe(true);
    expect(cidrsOverlap(podman, parseCidr('10.89.1.0/24')!)).toBe(false);
    expect(cidrsOverlap(parseCidr('10.0.0.0/8')!, podman)).toBe(true);
    expect(cidrsOverlap(podman, parseCidr('10.89.0.1')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('fd00::/64')!, parseCidr('fd00::2')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('fd00::/64')!, parseCidr('fd00:0:0:1::/64')!)).toBe(false);
    expect(cidrsOverlap(podman, parseCidr('::1')!)).toBe(false);
    expect(parseCidr('10.89.0.0/33')).toBeUndefined();
    expect(parseCidr('not-an-address')).toBeUndefined();
  });

  it('finds a free subnet of the same size around the taken ones', () => {
    const taken = ['10.0.0.0/9', '10.128.0.0/9'].map((text) => parseCidr(text)!);
    expect(freeSubnet(parseCidr('10.89.0.0/24')!, taken)).toBe('172.16.0.0/24');
    expect(freeSubnet(parseCidr('10.89.0.0/24')!, [parseCidr('10.0.0.0/24')!])).toBe('10.0.1.0/24');
  });
});

describe('ip -j route show table all and ip -j -d link', () => {
  it('reads the live host: default route, container bridges, local and broadcast routes of other tables', () => {
    const routes = parseIpRoutes(recordedStdout(live, ['ip', '-j', 'route']).stdout);
    expect(routes).toContainEqual({
      dst: 'default',
      type: 'unicast',
      table: 'main',
      dev: 'eth0',
      gateway: '192.0.2.1',
    });
    expect(routes).toContainEqual(
      expect.objectContaining({ dst: '10.89.0.0/24', dev: 'podman1', protocol: 'kernel', table: 'main' }),
    );
    expect(routes).toContainEqual(
      expect.objectContaining({ type: 'local', dst: '127.0.0.0/8', table: 'local', dev: 'lo' }),
    );
    expect(routes.some((route) => route.type === 'broadcast')).toBe(true);
  });

  it('reads links with their MTU, kind and bridge', () => {
    const links = parseIpLinks(recordedStdout(live, ['ip', '-j', '-d', 'link']).stdout);
    expect(links).toContainEqual(expect.objectContaining({ name: 'eth0', mtu: 1400, up: true }));
    expect(links).toContainEqual(expect.objectContaining({ name: 'podman1', kind: 'bridge' }));
    expect(links.some((link) => link.kind === 'veth' && link.master === 'podman1')).toBe(true);
  });

  it('reads a throwaway namespace with a VPN-like route and a low-MTU link', () => {
    const routes = parseIpRoutes(fixtureText('netns/vpn-route-10.89.0.128.route.json'));
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.89.0.128/25', dev: 'ndp2-vpn' }));
    const links = parseIpLinks(fixtureText('netns/vpn-route-10.89.0.128.link.json'));
    expect(links).toContainEqual(expect.objectContaining({ name: 'ndp2-vpn', mtu: 1420, kind: 'veth' }));
  });
});
