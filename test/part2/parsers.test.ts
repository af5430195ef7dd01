import { describe, expect, it } from 'vitest';
import { parseDockerdFlags, parseGoBool } from '../../src/facts/docker-daemon.js';
import { cidrsOverlap, freeSubnet, parseCidr, parseIpLinks, parseIpRoutes } from '../../src/facts/ip.js';
import { Facts } from '../../src/core/facts.js';
import {
  featureStatus,
  featuresFor,
  flavourOfBinary,
  kernelModules,
  parseKernelConfig,
  parseModulesDep,
} from '../../src/facts/kernel.js';
import { holdsAddress, parseProcNetSockets, parseSsListeners } from '../../src/facts/listeners.js';
import { podmanDnsSettings } from '../../src/facts/podman-dns.js';
import { parseCmdline, parsePidFile, parseStatusNameState } from '../../src/facts/processes.js';
import { isLoopbackNameserver, parseResolvConf, upstreamSource } from '../../src/facts/resolv.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { FakeHost } from '../helpers/fake-host.js';
import { part2Fixture, part2Snapshot } from './recorded.js';

function stdoutOf(snapshot: Snapshot, argvStart: string[]): string {
  const found = snapshot.commands.find((entry) => argvStart.every((arg, index) => entry.argv[index] === arg));
  if (found === undefined) throw new Error(`no ${argvStart.join(' ')} in the snapshot`);
  return found.stdout;
}

function fileOf(snapshot: Snapshot, path: string): string {
  const found = snapshot.files.find((entry) => entry.path === path);
  if (found === undefined || !found.ok) throw new Error(`no readable ${path} in the snapshot`);
  return found.content;
}

const live = part2Snapshot('live-root-icc-off');

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
    const routes = parseIpRoutes(stdoutOf(live, ['ip', '-j', 'route']));
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
    const links = parseIpLinks(stdoutOf(live, ['ip', '-j', '-d', 'link']));
    expect(links).toContainEqual(expect.objectContaining({ name: 'eth0', mtu: 1400, up: true }));
    expect(links).toContainEqual(expect.objectContaining({ name: 'podman1', kind: 'bridge' }));
    expect(links.some((link) => link.kind === 'veth' && link.master === 'podman1')).toBe(true);
  });

  it('reads a throwaway namespace with a VPN-like route and a low-MTU link', () => {
    const routes = parseIpRoutes(part2Fixture('netns/vpn-route-10.89.0.128.route.json'));
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.89.0.128/25', dev: 'ndp2-vpn' }));
    const links = parseIpLinks(part2Fixture('netns/vpn-route-10.89.0.128.link.json'));
    expect(links).toContainEqual(expect.objectContaining({ name: 'ndp2-vpn', mtu: 1420, kind: 'veth' }));
  });
});

describe('UDP listeners', () => {
  it('reads ss as root: aardvark-dns on each gateway, with its pid', () => {
    const listeners = parseSsListeners(stdoutOf(live, ['ss', '-Hlnup']));
    const gateway = listeners.find((listener) => listener.address === '10.89.0.1' && listener.port === 53);
    expect(gateway).toMatchObject({ wildcard: false, owners: [{ name: 'aardvark-dns' }] });
  });

  it("reads a wildcard dnsmasq (Debian's default configuration) in both families", () => {
    const listeners = parseSsListeners(part2Fixture('netns/wildcard-dnsmasq.ss.txt'));
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
    const ipv4 = parseProcNetSockets(part2Fixture('netns/wildcard-dnsmasq.proc-net-udp.txt'), '/proc/net/udp', 'udp');
    const ipv6 = parseProcNetSockets(part2Fixture('netns/wildcard-dnsmasq.proc-net-udp6.txt'), '/proc/net/udp6', 'udp');
    expect(ipv4).toEqual([expect.objectContaining({ address: '0.0.0.0', port: 53, wildcard: true, owners: [] })]);
    expect(ipv6).toEqual([expect.objectContaining({ address: '::', port: 53, wildcard: true })]);
  });
});

describe('kernel config and modules', () => {
  const missing = part2Snapshot('kernel-modules-missing');
  const loadable = part2Snapshot('kernel-modules-loadable');

  it("reads this VM's config: no module support, everything built in", () => {
    const options = parseKernelConfig(stdoutOf(live, ['gzip', '-dc', '/proc/config.gz']));
    expect(options.get('CONFIG_MODULES')).toBeUndefined();
    expect(options.get('CONFIG_BRIDGE')).toBe('y');
    expect(options.get('CONFIG_DUMMY')).toBeUndefined();
  });

  it("reads Debian 12's config, where the netfilter features are modules, and its modules.dep", () => {
    const options = parseKernelConfig(fileOf(missing, '/boot/config-6.1.0-56-amd64'));
    expect(options.get('CONFIG_MODULES')).toBe('y');
    expect(options.get('CONFIG_BRIDGE_NETFILTER')).toBe('m');
    const installed = parseModulesDep(fileOf(loadable, '/lib/modules/6.1.0-56-amd64/modules.dep'));
    expect(
      [...installed].filter((name) => ['br_netfilter', 'xt_MASQUERADE', 'nft_chain_nat', 'veth'].includes(name)).sort(),
    ).toEqual(['br_netfilter', 'nft_chain_nat', 'veth', 'xt_MASQUERADE']);
  });

  it('tells built in, loaded, loadable and missing apart', async () => {
    const states = async (snapshot: Snapshot) => {
      const host = new FakeHost({ snapshot });
      const view = await new Facts(host).get(kernelModules);
      if (!view.ok) throw new Error(view.reason);
      const [features = []] = featuresFor('nft');
      return Object.fromEntries(
        ['bridge', 'br_netfilter', 'nf_tables'].map((module) => [
          module,
          featureStatus(
            view,
            features.find((feature) => feature.module === module)!,
          ).state,
        ]),
      );
    };
    expect(await states(live)).toEqual({ bridge: 'built-in', br_netfilter: 'built-in', nf_tables: 'built-in' });
    expect(await states(loadable)).toEqual({ bridge: 'loadable', br_netfilter: 'loadable', nf_tables: 'loadable' });
    expect(await states(missing)).toEqual({ bridge: 'missing', br_netfilter: 'missing', nf_tables: 'missing' });
  });

  it('reads the iptables flavour from the binary iptables resolves to', () => {
    expect(flavourOfBinary(stdoutOf(loadable, ['readlink', '-f', '/usr/sbin/iptables']).trim())).toBe('nft');
    expect(
      flavourOfBinary(
        stdoutOf(part2Snapshot('rootless-modules-not-preloaded'), ['readlink', '-f', '/usr/sbin/iptables']).trim(),
      ),
    ).toBe('legacy');
    expect(flavourOfBinary('/usr/sbin/iptables')).toBe('unknown');
    expect(featuresFor('unknown')).toHaveLength(2);
  });
});

describe('dockerd configuration', () => {
  it("reads the running dockerd's command line (no switch set)", () => {
    const argv = parseCmdline(fileOf(live, '/proc/23055/cmdline'));
    expect(argv).toEqual(['dockerd']);
    expect(parseDockerdFlags(argv)).toEqual({ switches: {}, dns: [] });
  });

  it('reads --iptables=false from the command line the lab started dockerd with', () => {
    const recorded = part2Snapshot('lab/p2-docker-iptables-off.broken');
    const cmdline = recorded.files.find(
      (entry) => /^\/proc\/\d+\/cmdline$/.test(entry.path) && entry.ok && entry.content.startsWith('dockerd'),
    );
    if (cmdline === undefined || !cmdline.ok) throw new Error('no dockerd command line in the recording');
    expect(parseDockerdFlags(parseCmdline(cmdline.content))).toEqual({
      switches: { iptables: { value: false, source: 'flag', excerpt: '--iptables=false' } },
      dns: [],
    });
    // dockerd's flags are Go bools: only "=value" sets a value, with strconv.ParseBool's spellings.
    expect(['1', 'T', 'True', '0', 'f', 'FALSE', 'no'].map(parseGoBool)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      undefined,
    ]);
  });
});

describe('processes, resolv.conf and podman DNS settings', () => {
  it("reads aardvark-dns's pid file and status", () => {
    expect(parsePidFile(fileOf(live, '/run/containers/networks/aardvark-dns/aardvark.pid'))).toBe(18035);
    expect(parseStatusNameState(fileOf(live, '/proc/18035/status'))).toEqual({ name: 'aardvark-dns', state: 'S' });
    expect(parseCmdline(fileOf(live, '/proc/18035/cmdline'))).toEqual([
      '/usr/lib/podman/aardvark-dns',
      '--config',
      '/run/containers/networks/aardvark-dns',
      '-p',
      '53',
      'run',
    ]);
    expect(parsePidFile('\n')).toBeUndefined();
  });

  it("reads the host's resolv.conf and tells loopback nameservers apart", () => {
    const resolv = parseResolvConf('/etc/resolv.conf', fileOf(live, '/etc/resolv.conf'));
    expect(resolv.nameservers).toEqual(['10.255.255.53']);
    expect(resolv.nameservers.map(isLoopbackNameserver)).toEqual([false]);
    expect(['127.0.0.53', '127.0.1.1', '::1', 'fe80::1%eth0'].map(isLoopbackNameserver)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    const stubbed = parseResolvConf(
      '/etc/resolv.conf',
      fileOf(part2Snapshot('lab/p2-resolver-loopback.broken'), '/etc/resolv.conf'),
    );
    expect(stubbed).toEqual({ path: '/etc/resolv.conf', nameservers: ['127.0.1.1'], excerpt: 'nameserver 127.0.1.1' });
    expect(upstreamSource(stubbed, 'podman')).toBeUndefined();
    const stub = { path: '/etc/resolv.conf', nameservers: ['127.0.0.53'], excerpt: '' };
    expect(upstreamSource(stub, 'docker')).toBe('/run/systemd/resolve/resolv.conf');
    expect(upstreamSource({ ...stub, nameservers: ['127.0.0.1'] }, 'podman')).toBe(
      '/run/NetworkManager/no-stub-resolv.conf',
    );
    expect(upstreamSource({ ...stub, nameservers: ['127.0.0.1'] }, 'docker')).toBeUndefined();
  });

  it("reads dns_servers and dns_bind_port from the drop-ins the lab's printed fixes wrote", async () => {
    const settings = async (name: string) => {
      const host = new FakeHost({ snapshot: part2Snapshot(name) });
      return new Facts(host).get(podmanDnsSettings);
    };
    expect(await settings('lab/p2-resolver-loopback.fixed')).toMatchObject({
      dnsServers: ['198.51.100.2'],
      dnsBindPort: 53,
      origin: { dnsServers: '/etc/containers/containers.conf.d/50-dns-servers.conf' },
    });
    expect(await settings('lab/p2-port53-gateway.fixed')).toMatchObject({
      dnsServers: [],
      dnsBindPort: 1153,
      origin: { dnsBindPort: '/etc/containers/containers.conf.d/50-aardvark-port.conf' },
    });
    expect(await settings('live-root-icc-off')).toEqual({ dnsServers: [], dnsBindPort: 53, origin: {} });
  });
});
