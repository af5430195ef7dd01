import { describe, expect, it } from 'vitest';
import { HOST_CHECKS, PAIR_CHECKS } from '../../checks/index.js';
import { Facts } from '../../src/core/facts.js';
import { engineSummaries, engineVersionSummaries } from '../../src/facts/engines.js';
import { PODMAN_INFO } from '../../src/facts/podman.js';
import { systemSearchPath } from '../../src/facts/files.js';
import { shellLine } from '../../src/core/shell.js';
import type { CheckResult, Finding, Subject } from '../../src/core/types.js';
import { onPath, pathChecks } from '../../src/pair/diagnose.js';
import { diagnosePair } from '../../src/pipeline/why.js';
import type { PathPlan } from '../../src/pair/path.js';
import { ENOENT, FakeHost } from '../helpers/fake-host.js';
import { PROBE_FAILURES, caseSnapshot } from '../helpers/why-recordings.js';

const TIMEOUT_MS = 3500;

async function diagnose(
  host: FakeHost,
  a = 'nd-why-web',
  b = 'nd-why-db',
  ports: number[] = [],
  hostChecksAfterMs?: number,
) {
  return diagnosePair(
    { host, facts: new Facts(host) },
    { a, b, ports },
    { pair: PAIR_CHECKS, host: HOST_CHECKS },
    { checkTimeoutMs: TIMEOUT_MS, hostChecksAfterMs },
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
    const host = new FakeHost({
      snapshot: caseSnapshot('healthy-podman'),
      commands: PROBE_FAILURES.nsenterDenied('healthy-podman'),
    });
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
    const host = new FakeHost({ snapshot, commands: PROBE_FAILURES.connectTimedOut('healthy-podman') });
    const result = await diagnose(host);
    expect(result.pair.verdict.sentence).toMatch(
      /^nd-why-web cannot reach nd-why-db on port 80: packets to [\d.]+:80 are dropped on the way \(the firewall model lets it through: /,
    );
    expect(result.pair.links.find((link) => link.id === 'tcp-80')?.status).toBe('broken');
    const ids = result.checks.flatMap((check) => check.findings).map((item) => item.id);
    expect(ids).toEqual(['pair.tcp_port_closed', 'pair.icmp_blocked']);
    expect(shellLine(connect.argv)).toContain(' nc -w 2 ');
  });

  it('tells a container that ignores pings from a rule that drops them: only the rule makes the verdict say so', async () => {
    const snapshot = caseSnapshot('healthy-podman');
    const ignoring = await diagnose(
      new FakeHost({ snapshot, commands: PROBE_FAILURES.pingUnanswered('healthy-podman', '1') }),
    );
    expect(ignoring.pair.verdict.outcome).toBe('reachable');
    expect(ignoring.checks.flatMap((check) => check.findings).map((item) => item.id)).toContain('pair.icmp_blocked');
    const dropping = await diagnose(
      new FakeHost({ snapshot, commands: PROBE_FAILURES.pingUnanswered('healthy-podman', '0') }),
    );
    expect(dropping.pair.verdict.sentence).toMatch(/; ping gets no answer, but TCP does$/);
  });
});

/** A recorded host whose `why` probes (busybox under nsenter) answer only after a pause. */
class SlowProbesHost extends FakeHost {
  override async run(argv: readonly string[]) {
    if (argv[0] === 'nsenter') await new Promise((resolve) => setTimeout(resolve, 50));
    return super.run(argv);
  }
}

const hostCheckIds = (checks: readonly { id: string }[]) =>
  checks.map((check) => check.id).filter((id) => !id.startsWith('pair.'));

describe('diagnosePair and the host checks', () => {
  it('runs none for two containers that answer, and names the engines without podman info', async () => {
    const host = new FakeHost({ snapshot: caseSnapshot('healthy-podman') });
    const result = await diagnose(host);
    expect(result.pair.verdict.outcome).toBe('reachable');
    expect(hostCheckIds(result.checks)).toEqual([]);
    expect(host.timesAsked('run', PODMAN_INFO)).toBe(0);
    expect(result.engines).toBe(engineVersionSummaries);
  });

  it('runs them once the pair does not answer, podman info with them, and names the engines by it', async () => {
    const host = new FakeHost({
      snapshot: caseSnapshot('healthy-podman'),
      commands: PROBE_FAILURES.connectTimedOut('healthy-podman'),
    });
    const result = await diagnose(host);
    expect(result.pair.verdict.outcome).toBe('unreachable');
    expect(host.timesAsked('run', PODMAN_INFO)).toBe(1);
    expect(result.engines).toBe(engineSummaries);
  });

  it('starts them beside probes slower than hostChecksAfterMs, yet a pair that answers lists none of their findings', async () => {
    const snapshot = caseSnapshot('healthy-podman');
    const slow = new SlowProbesHost({ snapshot });
    const early = await diagnose(slow, 'nd-why-web', 'nd-why-db', [], 1);
    expect(slow.timesAsked('run', PODMAN_INFO)).toBe(1);
    const late = await diagnose(new FakeHost({ snapshot }));
    expect(early.pair.verdict).toEqual(late.pair.verdict);
    const timeless = (checks: readonly CheckResult[]) => checks.map(({ durationMs: _, ...rest }) => rest);
    expect(timeless(early.checks)).toEqual(timeless(late.checks));
    expect(early.engines).toBe(engineVersionSummaries);
  });
});

describe('diagnosePair where an engine did not answer', () => {
  it("names a podman that timed out, not another storage, when only root's conmon shows the container", async () => {
    const snapshot = caseSnapshot('different-users-root');
    const inspect = snapshot.commands.find((entry) => shellLine(entry.argv) === 'podman container inspect nd-why-web');
    expect(inspect).toBeDefined();
    const timedOut = { code: 'ETIMEDOUT', message: 'timed out after 2.5 s' };
    // The rootless users, as the recording of a missing container on the same lab host read them.
    const subuid = caseSnapshot('not-found').files.find((entry) => entry.path === '/etc/subuid');
    const host = new FakeHost({
      snapshot: { ...snapshot, files: [...snapshot.files, subuid!] },
      commands: [{ argv: inspect!.argv, exitCode: null, error: timedOut }],
    });
    const result = await diagnose(host);
    expect(result.pair.verdict.outcome).toBe('undecided');
    expect(result.pair.verdict.sentence).not.toMatch(/another storage/);
    expect(result.pair.verdict.sentence).toMatch(
      /not searched: `podman container inspect nd-why-web`: timed out after 2\.5 s; a conmon process of root runs nd-why-web \(storage \/var\/lib\/containers\/storage\): it may be a container of the podman that could not be asked/,
    );
  });

  it('still names the rootless container of another user when podman answered', async () => {
    const result = await diagnose(new FakeHost({ snapshot: caseSnapshot('different-users-root') }));
    expect(result.pair.verdict.sentence).toMatch(/nd-why-db a rootless podman container of ndlab/);
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
