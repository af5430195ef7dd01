import { readFileSync, readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Finding, Severity } from '../../src/core/types.js';
import type { Report } from '../../src/core/report.js';

// Every snapshot here was recorded by `npm run lab:record` on a real host, in the state its name says: the
// broken state of a lab scenario, the same host after the fix netdoctor printed, or a healthy baseline
// (test/lab/README.md). They are replayed through the real CLI (`--replay FILE --json`): no root, no engine.

const LAB = fileURLToPath(new URL('../fixtures/snapshots/lab/', import.meta.url));

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const replays = new Map<string, Promise<Report>>();

/** The report of `netdoctor --replay <lab snapshot> --json`, once per snapshot. */
function replay(snapshot: string): Promise<Report> {
  let pending = replays.get(snapshot);
  if (pending === undefined) {
    pending = (async () => {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await main(['--replay', `${LAB}${snapshot}.json`, '--json'], { stdout, stderr, env: {} });
      if (code !== 0 && code !== 1) throw new Error(`netdoctor --replay ${snapshot} exited ${code}: ${stderr.text}`);
      return JSON.parse(stdout.text) as Report;
    })();
    replays.set(snapshot, pending);
  }
  return pending;
}

interface Case {
  /** Snapshots (test/fixtures/snapshots/lab/<name>.json) where the id is reported, at this severity. */
  broken: string[];
  severity: Severity;
  /** The finding must also say this (title), where the state has a telling detail. */
  title?: RegExp;
  /** Snapshots where the id is absent. */
  passing: string[];
  /**
   * For the ids the catalog keeps as an info on every host of a kind (a default network always exists; a rootless
   * container is always unroutable), passing means the broken severity is gone rather than the id.
   */
  passingMeans?: 'absent' | 'severity gone';
}

const CASES: Record<string, Case> = {
  'host.ip_forward_disabled': {
    severity: 'error',
    broken: ['ip-forward-sysctl.broken', 'ip-forward-sysctl-d.broken', 'ip-forward-bridge.broken'],
    passing: [
      'ip-forward-sysctl.fixed',
      'ip-forward-sysctl-d.fixed',
      'ip-forward-bridge.fixed',
      'baseline-docker-podman.healthy',
    ],
  },
  'host.iptables_binary_missing': {
    severity: 'error',
    broken: ['iptables-moved.broken', 'iptables-not-executable.broken'],
    passing: ['iptables-moved.fixed', 'iptables-not-executable.fixed'],
  },
  'engine.unreachable': {
    severity: 'error',
    broken: ['docker-stopped.broken', 'docker-frozen.broken', 'podman-broken-store.broken'],
    passing: ['docker-stopped.fixed', 'docker-frozen.fixed', 'podman-broken-store.fixed'],
  },
  'podman.backend_is_cni': {
    severity: 'info',
    broken: ['podman-cni-backend.broken', 'podman-backend-pinned.broken', 'baseline-podman-cni.healthy'],
    passing: ['baseline-podman-netavark.healthy', 'baseline-rootless.healthy'],
  },
  'aardvark.missing': {
    severity: 'error',
    broken: ['aardvark-moved.broken', 'aardvark-not-executable.broken'],
    passing: ['aardvark-moved.fixed', 'aardvark-not-executable.fixed'],
  },
  'cni.dnsname_absent': {
    severity: 'warning',
    broken: ['cni-dnsname-absent.broken'],
    passing: ['cni-dnsname-absent.fixed', 'baseline-podman-cni.healthy'],
  },
  'cni.dnsmasq_missing': {
    severity: 'error',
    title: /not executable/,
    broken: ['cni-dnsmasq-not-executable.broken'],
    passing: ['cni-dnsmasq-not-executable.fixed', 'baseline-podman-cni.healthy'],
  },
  'dns.default_network_no_dns': {
    severity: 'warning',
    broken: ['default-network-podman.broken', 'default-network-docker.broken'],
    passing: ['default-network-podman.fixed', 'default-network-docker.fixed'],
    passingMeans: 'severity gone',
  },
  'ctr.ping_without_net_raw': {
    severity: 'warning',
    broken: ['ping-net-raw-podman.broken', 'ping-net-raw-docker.broken'],
    passing: ['ping-net-raw-podman.fixed', 'ping-net-raw-docker.fixed'],
  },
  'rootless.container_ip_unroutable_from_host': {
    severity: 'info',
    broken: ['rootless-container-ip.broken', 'baseline-rootless.healthy'],
    // ndlab with no running container (its podman run failed), and root (rootful podman only).
    passing: ['rootless-dev-net-tun.broken', 'rootless-slirp4netns-moved.broken', 'baseline-podman-netavark.healthy'],
  },
  'rootless.slirp4netns_missing': {
    severity: 'error',
    broken: ['rootless-slirp4netns-moved.broken', 'rootless-slirp4netns-not-executable.broken'],
    passing: ['rootless-slirp4netns-moved.fixed', 'rootless-slirp4netns-not-executable.fixed'],
  },
  'rootless.dev_net_tun': {
    severity: 'error',
    broken: ['rootless-dev-net-tun.broken'],
    passing: ['rootless-dev-net-tun.fixed', 'baseline-rootless.healthy'],
  },
  'rootless.ping_group_range': {
    severity: 'warning',
    broken: ['rootless-ping-group-range.broken', 'baseline-rootless.healthy'],
    passing: ['rootless-ping-group-range.fixed'],
  },
};

const withId = (report: Report, id: string): Finding[] => report.findings.filter((finding) => finding.id === id);

describe('Part 1 of the catalog on snapshots of real broken and fixed hosts', () => {
  describe.each(Object.entries(CASES))('%s', (id, testCase) => {
    it.each(testCase.broken)(`is reported at ${testCase.severity} on %s`, async (snapshot) => {
      const findings = withId(await replay(snapshot), id).filter((finding) => finding.severity === testCase.severity);
      expect(findings.map((finding) => finding.title)).not.toEqual([]);
      if (testCase.title) expect(findings.some((finding) => testCase.title!.test(finding.title))).toBe(true);
      for (const finding of findings) expect(finding.evidence.length).toBeGreaterThan(0);
    });

    it.each(testCase.passing)(
      `is ${testCase.passingMeans === 'severity gone' ? `not reported at ${testCase.severity}` : 'absent'} on %s`,
      async (snapshot) => {
        const findings = withId(await replay(snapshot), id);
        const left =
          testCase.passingMeans === 'severity gone'
            ? findings.filter((finding) => finding.severity === testCase.severity)
            : findings;
        expect(left.map((finding) => `${finding.severity}: ${finding.title}`)).toEqual([]);
      },
    );
  });
});

describe('the broken states in detail', () => {
  it('names the bridge whose forwarding is off, not the global switch', async () => {
    const [finding] = withId(await replay('ip-forward-bridge.broken'), 'host.ip_forward_disabled');
    expect(finding?.subject).toMatchObject({ engine: 'podman', network: 'ndl-fwdb' });
    expect(finding?.subject.interface).toMatch(/^podman\d+$/);
    expect(finding?.fix.commands[0]).toBe(`sysctl -w net.ipv4.conf.${finding?.subject.interface}.forwarding=1`);
  });

  it('reports iptables and ip6tables when their shared binary lost its execute bits', async () => {
    const paths = withId(await replay('iptables-not-executable.broken'), 'host.iptables_binary_missing').map(
      (finding) => finding.subject.path,
    );
    expect(paths.sort()).toEqual(['/usr/sbin/ip6tables', '/usr/sbin/iptables']);
  });

  it('tells a stopped dockerd (socket gone) from a frozen one (timeout)', async () => {
    const [stopped] = withId(await replay('docker-stopped.broken'), 'engine.unreachable');
    const [frozen] = withId(await replay('docker-frozen.broken'), 'engine.unreachable');
    expect(stopped?.title).toMatch(/socket missing/);
    expect(stopped?.fix.commands[0]).toMatch(/^setsid dockerd /);
    expect(frozen?.title).toMatch(/timeout/);
  });

  it('names the containers on the default networks', async () => {
    const podman = withId(await replay('default-network-podman.broken'), 'dns.default_network_no_dns').find(
      (finding) => finding.severity === 'warning',
    );
    const docker = withId(await replay('default-network-docker.broken'), 'dns.default_network_no_dns').find(
      (finding) => finding.severity === 'warning',
    );
    expect(podman?.subject).toMatchObject({ engine: 'podman', network: 'podman' });
    expect(podman?.subject.containers).toEqual(expect.arrayContaining(['ndl-dnp-a', 'ndl-dnp-b']));
    expect(docker?.subject).toMatchObject({ engine: 'docker', network: 'bridge' });
    expect(docker?.subject.containers).toEqual(expect.arrayContaining(['ndl-dnd-a', 'ndl-dnd-b']));
  });

  it('says which container cannot ping, for podman and docker', async () => {
    expect(
      withId(await replay('ping-net-raw-podman.broken'), 'ctr.ping_without_net_raw')[0]?.subject.containers,
    ).toEqual(['ndl-png-a']);
    expect(
      withId(await replay('ping-net-raw-docker.broken'), 'ctr.ping_without_net_raw')[0]?.subject.containers,
    ).toEqual(['ndl-pngd-a']);
  });

  it('tells a missing binary from one that is not executable', async () => {
    expect(withId(await replay('aardvark-moved.broken'), 'aardvark.missing')[0]?.title).toMatch(/not installed/);
    expect(withId(await replay('aardvark-not-executable.broken'), 'aardvark.missing')[0]?.title).toMatch(
      /not executable/,
    );
    expect(withId(await replay('rootless-slirp4netns-moved.broken'), 'rootless.slirp4netns_missing')[0]?.title).toMatch(
      /not installed/,
    );
    expect(
      withId(await replay('rootless-slirp4netns-not-executable.broken'), 'rootless.slirp4netns_missing')[0]?.title,
    ).toMatch(/not executable/);
  });
});

describe('every lab snapshot', () => {
  const snapshots = readdirSync(LAB)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.report.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((name) =>
      (JSON.parse(readFileSync(`${LAB}${name}.report.json`, 'utf8')) as Report).checks.some(
        (check) => check.id === 'host.ip-forward',
      ),
    )
    .sort();
  const part1 = new Set(Object.keys(CASES));
  const key = (report: Report) =>
    report.findings
      .filter((finding) => part1.has(finding.id))
      .map((finding) => `${finding.id} ${finding.severity}`)
      .sort();

  it('is one of the states the cases above use', () => {
    const used = new Set(Object.values(CASES).flatMap((testCase) => [...testCase.broken, ...testCase.passing]));
    expect(
      snapshots.filter((name) => !used.has(name) && !name.endsWith('.fixed') && !name.endsWith('.healthy')),
    ).toEqual([]);
  });

  it.each(snapshots)('replays to the Part 1 findings the recording run printed (%s)', async (snapshot) => {
    const recorded = JSON.parse(readFileSync(`${LAB}${snapshot}.report.json`, 'utf8')) as Report;
    expect(key(await replay(snapshot))).toEqual(key(recorded));
  });
});
