import { describe, expect, it } from 'vitest';
import { HOST_CHECKS, PAIR_CHECKS } from '../../checks/index.js';
import { Facts } from '../../src/core/facts.js';
import { systemSearchPath } from '../../src/facts/files.js';
import { shellLine } from '../../src/core/shell.js';
import type { Finding, Subject } from '../../src/core/types.js';
import { onPath, pathChecks } from '../../src/pair/diagnose.js';
import { diagnosePair } from '../../src/pipeline/why.js';
import type { PathPlan } from '../../src/pair/path.js';
import { ENOENT, FakeHost, type FakeCommand } from '../helpers/fake-host.js';
import { caseSnapshot } from '../helpers/why-recordings.js';

const TIMEOUT_MS = 3500;

async function diagnose(host: FakeHost, a = 'nd-why-web', b = 'nd-why-db', ports: number[] = []) {
  return diagnosePair(
    { host, facts: new Facts(host) },
    { a, b, ports },
    { pair: PAIR_CHECKS, host: HOST_CHECKS },
    TIMEOUT_MS,
  );
}

describe('diagnosePair on a recorded healthy pair', () => {
  it('asks each command once, and nothing the recording did not hold', async () => {
    const host = new FakeHost({ snapshot: caseSnapshot('healthy-podman') });
    const result = await diagnose(host);
    expect(result.pair.verdict.outcome).toBe('reachable');
    const runs = host.requests.filter((request) => request.startsWith('run '));
    expect(new Set(runs).size).toBe(runs.length);
  });

  it("cannot decide when A's namespace cannot be entered, and says why", async () => {
    const snapshot = caseSnapshot('healthy-podman');
    const denied: FakeCommand[] = snapshot.commands
      .filter((entry) => entry.argv[0] === 'nsenter')
      .map((entry) => ({
        argv: entry.argv,
        exitCode: 1,
        stderr: `nsenter: cannot open /proc/${entry.argv[1]!.slice('--target='.length)}/ns/net: Permission denied\n`,
      }));
    const host = new FakeHost({ snapshot, commands: denied });
    const result = await diagnose(host);
    expect(result.pair.verdict.outcome).toBe('undecided');
    expect(result.pair.verdict.sentence).toMatch(
      /^netdoctor cannot tell whether nd-why-web reaches nd-why-db: no port to probe: nd-why-db's listening sockets could not be read: `nsenter .*` failed: nsenter: cannot open/,
    );
    expect(result.checks.find((check) => check.id === 'pair.tcp')).toMatchObject({
      status: 'skip',
      skip: 'cannot_decide',
    });
  });

  it('does not probe without busybox on the host, and says so', async () => {
    const snapshot = caseSnapshot('healthy-podman');
    const stats = Object.fromEntries(systemSearchPath(snapshot.context).map((dir) => [`${dir}/busybox`, ENOENT]));
    const host = new FakeHost({ snapshot, stats });
    const result = await diagnose(host);
    expect(result.pair.verdict.sentence).toMatch(
      /the probes run busybox from the host, and there is none \(busybox: not found in /,
    );
    expect(host.requests.filter((request) => request.includes('nsenter'))).toEqual([]);
  });

  it('reports a timed-out connection as dropped, with the ping that still answers', async () => {
    const snapshot = caseSnapshot('healthy-podman');
    const connect = snapshot.commands.find((entry) => entry.argv.includes('nc'))!;
    const host = new FakeHost({ snapshot, commands: [{ argv: connect.argv, exitCode: 1, stderr: 'nc: timed out\n' }] });
    const result = await diagnose(host);
    expect(result.pair.verdict.sentence).toMatch(
      /^nd-why-web cannot reach nd-why-db on port 80: packets to [\d.]+:80 are dropped on the way \(the firewall model lets it through: /,
    );
    expect(result.pair.links.find((link) => link.id === 'tcp-80')?.status).toBe('broken');
    const ids = result.checks.flatMap((check) => check.findings).map((item) => item.id);
    expect(ids).toEqual(['pair.tcp_port_closed', 'pair.icmp_blocked']);
    expect(shellLine(connect.argv)).toContain(' nc -w 2 ');
  });

  it('tells a container that ignores pings from a rule that drops them', async () => {
    const snapshot = caseSnapshot('healthy-podman');
    const ping = snapshot.commands.find((entry) => entry.argv.includes('ping'))!;
    const listening = snapshot.commands.find((entry) => entry.argv[0] === 'nsenter' && entry.argv.includes('ss'))!;
    const noReply = {
      argv: ping.argv,
      exitCode: 1,
      stdout: '1 packets transmitted, 0 packets received, 100% packet loss\n',
    };
    const echoIgnore = [...listening.argv.slice(0, 3), 'cat', '/proc/sys/net/ipv4/icmp_echo_ignore_all'];
    const ignoring = await diagnose(
      new FakeHost({ snapshot, commands: [noReply, { argv: echoIgnore, stdout: '1\n' }] }),
    );
    const ignored = ignoring.checks.flatMap((check) => check.findings).find((item) => item.id === 'pair.icmp_blocked')!;
    expect(ignored.title).toMatch(/nd-why-db ignores echo requests \(net\.ipv4\.icmp_echo_ignore_all = 1\)$/);
    expect(ignored.fix.commands).toEqual([
      `${shellLine(listening.argv.slice(0, 3)).replace('--target=', '--target ')} sysctl -w net.ipv4.icmp_echo_ignore_all=0`,
    ]);
    expect(ignoring.pair.verdict.outcome).toBe('reachable');
    const dropping = await diagnose(
      new FakeHost({ snapshot, commands: [noReply, { argv: echoIgnore, stdout: '0\n' }] }),
    );
    const dropped = dropping.checks.flatMap((check) => check.findings).find((item) => item.id === 'pair.icmp_blocked')!;
    expect(dropped.explanation).toMatch(
      /does answer echo requests \(icmp_echo_ignore_all = 0\): a rule on the way drops ICMP/,
    );
    expect(dropping.pair.verdict.sentence).toMatch(/; ping gets no answer, but TCP does$/);
  });
});

describe('host findings on the path', () => {
  const routed: PathPlan = {
    kind: 'routed',
    description: '',
    sameOwner: true,
    names: 'not_served',
    routedBridges: ['podman1', 'podman2'],
    rootless: false,
  };
  const bridged: PathPlan = { ...routed, kind: 'shared-network', routedBridges: [] };
  const scope = (plan: PathPlan) => ({
    containers: new Set(['web', 'db']),
    networks: [
      { engine: 'podman', name: 'front', bridge: 'podman1' },
      { engine: 'podman', name: 'back', bridge: 'podman2' },
    ],
    engines: ['podman'],
    plan,
  });
  const hostFinding = (id: string, subject: Subject): Finding => ({
    id,
    severity: 'error',
    title: id,
    explanation: '',
    subject,
    evidence: [],
    fix: { summary: '', commands: [] },
    docs: '',
  });
  const forwarding = (subject: Subject) => hostFinding('host.ip_forward_disabled', subject);
  const noDns = (containers: string[]) =>
    hostFinding('dns.default_network_no_dns', { engine: 'docker', network: 'bridge', containers });

  it('keeps forwarding only where the host routes the path', () => {
    expect(onPath(forwarding({}), scope(routed))).toBe(true);
    expect(onPath(forwarding({ engine: 'podman', network: 'front', interface: 'podman1' }), scope(routed))).toBe(true);
    expect(onPath(forwarding({}), scope(bridged))).toBe(false);
  });

  it('keeps what names A or B, or their networks, and nothing else', () => {
    expect(onPath(noDns(['web', 'other']), scope(bridged))).toBe(true);
    expect(onPath(noDns(['other']), scope(bridged))).toBe(false);
  });

  it('runs only the host checks that can report a finding on a path', () => {
    const ids = pathChecks(HOST_CHECKS).flatMap((check) => Object.keys(check.findings));
    expect(ids).toContain('host.ip_forward_disabled');
    expect(ids).toContain('docker.icc_disabled');
    expect(ids).not.toContain('rootless.dev_net_tun');
    expect(ids).not.toContain('mtu.exceeds_path_mtu');
  });
});
