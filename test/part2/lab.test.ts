import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../../checks/index.js';
import { Facts } from '../../src/core/facts.js';
import { runChecks } from '../../src/pipeline/runner.js';
import type { CheckResult, Finding } from '../../src/core/types.js';
import type { Report } from '../../src/core/report.js';
import { FakeHost } from '../helpers/fake-host.js';
import { part2Fixture, part2Snapshot } from './recorded.js';

/** The checks the lab recorded (the kernel ones have fixtures of their own: test/fixtures/part2/README.md). */
const RECORDED_CHECK_IDS = [
  'dns.host-resolver',
  'dns.port53',
  'cni.dnsmasq-running',
  'aardvark.running',
  'docker.icc',
  'docker.iptables',
  'net.subnet-overlap',
  'net.internal',
  'mtu.path-mtu',
  'rootless.privileged-port',
];
const RECORDED = HOST_CHECKS.filter((check) => RECORDED_CHECK_IDS.includes(check.id));

async function replay(name: string): Promise<{ results: CheckResult[]; findings: Finding[] }> {
  const host = new FakeHost({ snapshot: part2Snapshot(`snapshots/lab/${name}`) });
  const results = await runChecks(RECORDED, { host, facts: new Facts(host) });
  return { results, findings: results.flatMap((result) => result.findings) };
}

function recordedReport(name: string): Report {
  return JSON.parse(part2Fixture(`snapshots/lab/${name}.report.json`)) as Report;
}

function mentions(finding: Finding, network: string): boolean {
  return (finding.subject.network ?? '').split(/,\s*/).includes(network);
}

/** Each scenario of test/lab/scenarios/p2-*.ts, the finding it proved, and how its fixed state must differ. */
const SCENARIOS = [
  {
    name: 'resolver-loopback-only',
    id: 'dns.host_resolver_loopback_only',
    severity: 'warning',
    network: undefined,
    fixed: 'docker only',
  },
  {
    name: 'port53-taken-on-gateway',
    id: 'dns.port53_taken_for_aardvark',
    severity: 'error',
    network: 'ndl-p2dns',
    fixed: 'gone',
  },
  {
    name: 'cni-dnsmasq-killed',
    id: 'cni.dnsmasq_not_running',
    severity: 'error',
    network: 'ndl-p2cni',
    fixed: 'gone',
  },
  { name: 'aardvark-killed', id: 'aardvark.not_running', severity: 'error', network: 'ndl-p2aard', fixed: 'gone' },
  { name: 'docker-icc-off', id: 'docker.icc_disabled', severity: 'error', network: 'ndl-p2icc', fixed: 'gone' },
  {
    name: 'subnet-overlap',
    id: 'net.subnet_overlaps_host_route',
    severity: 'error',
    network: 'ndl-p2ov',
    fixed: 'gone',
  },
  { name: 'internal-network', id: 'net.internal_network', severity: 'info', network: 'ndl-p2int', fixed: 'stays' },
  { name: 'mtu-small-uplink', id: 'mtu.exceeds_path_mtu', severity: 'warning', network: 'ndl-p2mtu', fixed: 'gone' },
  {
    name: 'rootless-privileged-port',
    id: 'rootless.privileged_port',
    severity: 'warning',
    network: undefined,
    fixed: 'gone',
  },
  {
    name: 'docker-iptables-off',
    id: 'docker.iptables_or_masq_disabled',
    severity: 'error',
    network: undefined,
    fixed: 'gone',
  },
] as const;

describe('the lab scenarios, replayed from their recordings', () => {
  it.each(SCENARIOS)('$name: broken, it reports $id ($severity)', async ({ name, id, severity, network }) => {
    const { results, findings } = await replay(`${name}.broken`);
    const hits = findings.filter(
      (finding) =>
        finding.id === id && finding.severity === severity && (network === undefined || mentions(finding, network)),
    );
    expect(hits, JSON.stringify(findings.map((finding) => [finding.id, finding.title]))).not.toEqual([]);
    expect(results.filter((result) => result.status === 'error')).toEqual([]);
  });

  it.each(SCENARIOS)('$name: fixed, $id is $fixed', async ({ name, id, network, fixed }) => {
    const { findings } = await replay(`${name}.fixed`);
    const left = findings.filter(
      (finding) => finding.id === id && (network === undefined || mentions(finding, network)),
    );
    if (fixed === 'gone') expect(left).toEqual([]);
    if (fixed === 'stays') expect(left).toHaveLength(1);
    if (fixed === 'docker only') expect(left.map((finding) => finding.subject.engine)).toEqual(['docker']);
  });

  it.each(SCENARIOS.flatMap(({ name }) => [`${name}.broken`, `${name}.fixed`]))(
    '%s replays to the findings its recording run printed',
    async (name) => {
      const { findings } = await replay(name);
      const ids = new Set(RECORDED.flatMap((check) => Object.keys(check.findings)));
      const printed = recordedReport(name).findings.filter((finding) => ids.has(finding.id));
      const key = (finding: Finding) => `${finding.id} ${finding.severity} ${finding.title}`;
      expect(findings.map(key).sort()).toEqual(printed.map(key).sort());
    },
  );
});

describe('what the recordings show in detail', () => {
  it('names the process that holds the gateway port, and moves aardvark-dns past it', async () => {
    const { findings } = await replay('port53-taken-on-gateway.broken');
    const [found] = findings.filter((finding) => finding.id === 'dns.port53_taken_for_aardvark');
    expect(found?.title).toMatch(
      /^dnsmasq \(pid \d+\) holds udp port 53 on gateway 10\.89\.188\.1: aardvark-dns cannot answer on ndl-p2dns$/,
    );
    expect(found?.fix.commands).toEqual(
      expect.arrayContaining([
        "printf '[network]\\ndns_bind_port = 1153\\n' > /etc/containers/containers.conf.d/50-aardvark-port.conf",
      ]),
    );
    const fixed = await replay('port53-taken-on-gateway.fixed');
    expect(fixed.results.find((result) => result.id === 'dns.port53')?.summary).toMatch(
      /udp port 1153 on .*ndl-p2dns 10\.89\.188\.1:1153/,
    );
  });

  it('sees through a killed dnsmasq whose pid file went with it', async () => {
    const { findings } = await replay('cni-dnsmasq-killed.broken');
    const [found] = findings.filter((finding) => finding.id === 'cni.dnsmasq_not_running');
    expect(found?.explanation).toContain('/run/containers/cni/dnsname/ndl-p2cni/pidfile does not exist');
    expect(found?.fix.commands).toEqual([expect.stringMatching(/^podman restart ndl-p2cni-[ab]$/)]);
  });

  it('reads --iptables=false from the running dockerd', async () => {
    const { findings } = await replay('docker-iptables-off.broken');
    const [found] = findings.filter((finding) => finding.id === 'docker.iptables_or_masq_disabled');
    expect(found?.title).toBe('dockerd runs with iptables=false');
    expect(found?.evidence).toEqual([
      {
        source: 'process',
        what: expect.stringMatching(/^\/proc\/\d+\/cmdline \(dockerd\)$/),
        excerpt: '--iptables=false',
      },
    ]);
    expect(found?.fix.commands.at(-1)).toBe('setsid dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &');
  });

  it('reads the port a rootless container that never started asked for', async () => {
    const { findings } = await replay('rootless-privileged-port.broken');
    const [found] = findings.filter((finding) => finding.id === 'rootless.privileged_port');
    expect(found?.subject).toMatchObject({ user: 'ndlab', containers: ['ndl-p2port'] });
    expect(found?.fix.commands[0]).toBe('sysctl -w net.ipv4.ip_unprivileged_port_start=80');
  });

  it('names the VPN-like route and a free subnet to move to', async () => {
    const { findings } = await replay('subnet-overlap.broken');
    const [found] = findings.filter(
      (finding) => finding.id === 'net.subnet_overlaps_host_route' && finding.subject.network === 'ndl-p2ov',
    );
    expect(found?.title).toBe('podman network "ndl-p2ov" (10.89.177.0/24) overlaps 10.89.177.128/25 on ndl-p2vpn');
    expect(found?.fix.commands[0]).toMatch(/^podman network create --subnet \d+\.\d+\.\d+\.0\/24 ndl-p2ov-moved$/);
  });

  it('names the uplink with the smallest MTU', async () => {
    const { findings } = await replay('mtu-small-uplink.broken');
    const [found] = findings.filter((finding) => finding.id === 'mtu.exceeds_path_mtu');
    expect(found?.title).toBe('Container networks send up to 1500-byte packets; ndup carries only 1280');
  });
});
