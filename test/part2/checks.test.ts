import { describe, expect, it } from 'vitest';
import port53 from '../../checks/dns/port53.js';
import hostResolver from '../../checks/dns/host-resolver.js';
import aardvarkRunning from '../../checks/aardvark/running.js';
import icc from '../../checks/docker/icc.js';
import iptablesMasq from '../../checks/docker/iptables.js';
import subnetOverlap from '../../checks/net/subnet-overlap.js';
import internal from '../../checks/net/internal.js';
import pathMtu from '../../checks/mtu/path-mtu.js';
import netfilterModules from '../../checks/kernel/netfilter-modules.js';
import privilegedPort from '../../checks/rootless/privileged-port.js';
import netfilterPreload from '../../checks/rootless/netfilter-preload.js';
import { Facts } from '../../src/core/facts.js';
import { runChecks } from '../../src/pipeline/runner.js';
import { ENOENT, FakeHost } from '../helpers/fake-host.js';
import { recordedSnapshot } from '../helpers/recorded.js';
import type { Report } from '../../src/core/report.js';
import { findingIds, part2Fixture, runOn } from './recorded.js';

const SS = ['ss', '-Hlnup'];
const ROUTES = ['ip', '-j', 'route', 'show', 'table', 'all'];
const LINKS = ['ip', '-j', '-d', 'link'];

describe("recorded on the live host as root (docker, rootful netavark, another session's icc=false network)", () => {
  // The kernel check is left out: this recording predates its reading `readlink -f` instead of `iptables --version`.
  it.each(
    [hostResolver, port53, aardvarkRunning, iptablesMasq, subnetOverlap, internal].map(
      (check) => [check.id, check] as const,
    ),
  )('%s passes', async (_, check) => {
    const result = await runOn(check, 'snapshots/live-root-icc-off');
    expect(result.status, JSON.stringify(result)).toBe('pass');
  });

  it('names the docker network with icc off, as an error since two containers use it', async () => {
    const result = await runOn(icc, 'snapshots/live-root-icc-off');
    expect(findingIds(result)).toEqual(['docker.icc_disabled:error']);
    const [found] = result.findings;
    expect(found?.subject).toMatchObject({ network: 'ndwhy-noicc', containers: ['nd-why-idb', 'nd-why-iweb'] });
    expect(found?.evidence[0]?.excerpt).toBe('"com.docker.network.bridge.enable_icc": "false"');
    expect(found?.fix.commands).toContain('docker network rm ndwhy-noicc');
  });

  it('warns that eth0 (mtu 1400) is smaller than the 1500 of the container networks', async () => {
    const result = await runOn(pathMtu, 'snapshots/live-root-icc-off');
    expect(findingIds(result)).toEqual(['mtu.exceeds_path_mtu:warning']);
    expect(result.findings[0]?.title).toBe('Container networks send up to 1500-byte packets; eth0 carries only 1400');
    expect(result.findings[0]?.explanation).not.toContain('fe80::');
  });

  it('says rootless checks are diagnosed as each user', async () => {
    for (const check of [privilegedPort, netfilterPreload]) {
      const result = await runOn(check, 'snapshots/live-root-icc-off');
      expect(result).toMatchObject({ status: 'skip', skip: 'not_applicable' });
      expect(result.reason).toContain('ndlab');
    }
  });
});

describe('the live host with what a throwaway network namespace recorded', () => {
  it('finds a wildcard dnsmasq on port 53, which keeps aardvark-dns off every gateway', async () => {
    const result = await runOn(port53, 'snapshots/live-root-icc-off', {
      commands: [{ argv: SS, stdout: part2Fixture('netns/wildcard-dnsmasq.ss.txt') }],
    });
    expect(findingIds(result)).toEqual(['dns.port53_taken_for_aardvark:error']);
    const [found] = result.findings;
    expect(found?.title).toMatch(/^dnsmasq \(pid \d+\) holds udp port 53 on the wildcard address 0\.0\.0\.0/);
    expect(found?.subject.network).toBe('ndwhy-back, ndwhy-front');
    expect(found?.fix.commands).toContain(
      "printf '[network]\\ndns_bind_port = 1153\\n' > /etc/containers/containers.conf.d/50-aardvark-port.conf",
    );
  });

  it('falls back to /proc/net/udp without ss: a wildcard socket is never aardvark-dns, whoever owns it', async () => {
    const result = await runOn(port53, 'snapshots/live-root-icc-off', {
      commands: [{ argv: SS, exitCode: null, error: ENOENT }],
      files: {
        '/proc/net/udp': part2Fixture('netns/wildcard-dnsmasq.proc-net-udp.txt'),
        '/proc/net/udp6': part2Fixture('netns/wildcard-dnsmasq.proc-net-udp6.txt'),
      },
    });
    expect(findingIds(result)).toEqual(['dns.port53_taken_for_aardvark:error']);
    expect(result.findings[0]?.title).toMatch(
      /^a process netdoctor may not see .* holds udp port 53 on the wildcard address 0\.0\.0\.0/,
    );
    expect(result.findings[0]?.evidence[0]?.what).toBe('/proc/net/udp, /proc/net/udp6');
  });

  it('finds a dnsmasq bound to a gateway address', async () => {
    const result = await runOn(port53, 'snapshots/live-root-icc-off', {
      commands: [{ argv: SS, stdout: part2Fixture('netns/gateway-dnsmasq.ss.txt') }],
    });
    expect(findingIds(result)).toEqual(['dns.port53_taken_for_aardvark:error']);
    expect(result.findings[0]?.subject.network).toBe('ndwhy-front');
  });

  it('finds a VPN-like route inside a podman subnet, and suggests a free subnet', async () => {
    const result = await runOn(subnetOverlap, 'snapshots/live-root-icc-off', {
      commands: [{ argv: ROUTES, stdout: part2Fixture('netns/vpn-route-10.89.0.128.route.json') }],
    });
    const overlapping = result.findings.map((item) => item.subject.network);
    expect(overlapping).toContain('ndwhy-front');
    const front = result.findings.find((item) => item.subject.network === 'ndwhy-front');
    expect(front?.evidence[1]?.excerpt).toContain('10.89.0.128/25 dev ndp2-vpn');
    expect(front?.fix.commands[0]).toMatch(/^podman network create --subnet \d+\.\d+\.\d+\.0\/24 ndwhy-front-moved$/);
  });

  it('passes when the uplink carries 1500 bytes', async () => {
    const result = await runOn(pathMtu, 'snapshots/live-root-icc-off', {
      commands: [
        { argv: ROUTES, stdout: part2Fixture('netns/uplink-1500.route.json') },
        { argv: LINKS, stdout: part2Fixture('netns/uplink-1500.link.json') },
      ],
    });
    expect(result.status).toBe('pass');
  });
});

describe('recorded as the rootless user ndlab', () => {
  // The kernel checks are left out: these recordings predate their reading `readlink -f` instead of `iptables
  // --version`.
  it.each(
    [hostResolver, subnetOverlap, internal, privilegedPort, aardvarkRunning].map((check) => [check.id, check] as const),
  )('%s passes', async (_, check) => {
    const result = await runOn(check, 'snapshots/live-rootless');
    expect(result.status, JSON.stringify(result)).toBe('pass');
  });

  it.each([port53, pathMtu].map((check) => [check.id, check] as const))(
    '%s does not apply rootless',
    async (_, check) => {
      expect(await runOn(check, 'snapshots/live-rootless')).toMatchObject({ status: 'skip', skip: 'not_applicable' });
    },
  );
});

describe("Debian 12's kernel (modular netfilter), booted in the lab guest", () => {
  it('reports the features whose modules are neither loaded nor installed', async () => {
    const result = await runOn(netfilterModules, 'kernel/kernel-modules-missing');
    expect(findingIds(result)).toEqual(['kernel.netfilter_modules_missing:error']);
    const [found] = result.findings;
    expect(found?.title).toContain('br_netfilter');
    expect(found?.evidence[0]).toMatchObject({ what: '/boot/config-6.1.0-56-amd64' });
    expect(found?.evidence[0]?.excerpt).toContain(
      'CONFIG_BRIDGE_NETFILTER=m; br_netfilter is neither loaded nor installed',
    );
    expect(found?.fix.commands[0]).toBe('apt-get install --reinstall linux-image-6.1.0-56-amd64');
  });

  it('passes when the module tree holds them, loaded or not', async () => {
    expect((await runOn(netfilterModules, 'kernel/kernel-modules-loadable')).status).toBe('pass');
  });

  it('reports a rootless network under iptables-legacy while ip_tables waits for root', async () => {
    const result = await runOn(netfilterPreload, 'kernel/rootless-modules-not-preloaded');
    expect(findingIds(result)).toEqual(['rootless.netfilter_modules_not_preloaded:error']);
    expect(result.findings[0]?.subject.network).toBe('ndl-kmod');
    expect(result.findings[0]?.fix.commands[0]).toBe('modprobe -a ip_tables ip6_tables');
  });

  it('passes under iptables-nft, whose modules the kernel loads on request (the guest proved it for ndlab)', async () => {
    const result = await runOn(netfilterPreload, 'kernel/rootless-nft-autoload');
    expect(result.status).toBe('pass');
    expect(result.summary).toContain('xtables-nft-multi');
  });

  it('leaves missing modules to the kernel check', async () => {
    expect((await runOn(netfilterPreload, 'kernel/rootless-modules-missing')).status).toBe('pass');
    expect(findingIds(await runOn(netfilterModules, 'kernel/rootless-modules-missing'))).toEqual([
      'kernel.netfilter_modules_missing:error',
    ]);
  });

  it.each([
    'kernel-modules-missing',
    'rootless-modules-missing',
    'kernel-modules-loadable',
    'rootless-nft-autoload',
    'rootless-modules-not-preloaded',
  ])('%s replays to the findings and fixes its recording run printed', async (name) => {
    const printed = (JSON.parse(part2Fixture(`kernel/${name}.report.json`)) as Report).findings;
    const replayed = [
      await runOn(netfilterModules, `kernel/${name}`),
      await runOn(netfilterPreload, `kernel/${name}`),
    ].flatMap((result) => result.findings);
    expect(replayed.map((found) => [found.id, found.title, found.fix.commands])).toEqual(
      printed.map((found) => [found.id, found.title, found.fix.commands]),
    );
  });
});

describe('the healthy snapshots of the core', () => {
  it('finds no docker network with icc off', async () => {
    const host = new FakeHost({ snapshot: recordedSnapshot('healthy-rootful-netavark-docker') });
    const [result] = await runChecks([icc], { host, facts: new Facts(host) });
    expect(result?.status).toBe('pass');
  });
});
