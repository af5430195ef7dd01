import { describe, expect, it } from 'vitest';
import { classifyReference } from '../../src/pair/locate.js';
import { UsageError } from '../../src/core/errors.js';
import type { PairOutcome, PathKind } from '../../src/core/pair.js';
import { reportSchemaProblems } from '../helpers/schema.js';
import { replayLab } from '../helpers/lab-replay.js';

describe('what a reference of why names', () => {
  it.each([
    ['web', { kind: 'container' }],
    ['podman:web', { kind: 'container' }],
    ['netns:red', { kind: 'namespace', name: 'red' }],
    ['host', { kind: 'host' }],
    ['host:8080', { kind: 'host', port: 8080 }],
    ['198.51.100.2', { kind: 'address', address: '198.51.100.2' }],
    ['198.51.100.2:80', { kind: 'address', address: '198.51.100.2', port: 80 }],
    ['300.1.1.1', { kind: 'container' }],
  ])('%s', (reference, expected) => {
    expect(classifyReference(reference)).toEqual(expected);
  });

  it.each(['host:0', 'host:http', '198.51.100.2:70000', 'netns:'])('refuses %s as a usage error', (reference) => {
    expect(() => classifyReference(reference)).toThrow(UsageError);
  });
});

interface RouteCase {
  snapshot: string;
  args: string[];
  outcome: PairOutcome;
  exitCode: number;
  path: PathKind;
  sentence: RegExp;
  /** Error and info findings of the report, by id. */
  findings: string[];
  /** The commands of pair.fix: exactly, or matching. */
  fix: (string | RegExp)[];
}

// Recorded by the lab's why scenarios (test/lab/scenarios/why-*.ts) on the lab host.
const CASES: RouteCase[] = [
  {
    snapshot: 'why-netns-healthy.healthy',
    args: ['why', 'netns:ndl-wn-red', 'netns:ndl-wn-blue'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'shared-network',
    sentence: /^netns:ndl-wn-red can reach netns:ndl-wn-blue: ping 10\.231\.8\.3 is answered on bridge ndl-wn-br/,
    findings: ['pair.reachable'],
    fix: [],
  },
  {
    snapshot: 'why-netns-veth-down.broken',
    args: ['why', 'netns:ndl-wv-red', 'netns:ndl-wv-blue'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'shared-network',
    sentence:
      /^netns:ndl-wv-red cannot reach netns:ndl-wv-blue: The veth between namespace ndl-wv-blue and bridge ndl-wv-br is down at ndl-wv-vb-c \(in namespace ndl-wv-blue\)$/,
    findings: ['netns.veth_down'],
    fix: ['ip -n ndl-wv-blue link set dev ndl-wv-vb-c up'],
  },
  {
    snapshot: 'why-netns-veth-down.fixed',
    args: ['why', 'netns:ndl-wv-red', 'netns:ndl-wv-blue'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'shared-network',
    sentence: /^netns:ndl-wv-red can reach netns:ndl-wv-blue/,
    findings: ['pair.reachable'],
    fix: [],
  },
  {
    snapshot: 'why-host-loopback.broken',
    args: ['why', 'ndl-wh-web', 'host:18081'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'to-host',
    sentence:
      /^ndl-wh-web cannot reach host:18081: The host's service on port 18081 listens on 127\.0\.0\.1:18081 only; ndl-wh-web reaches the host at [\d.]+$/,
    findings: ['pair.host_service_loopback_only'],
    fix: ['ss -l -t -n -p sport = :18081'],
  },
  {
    snapshot: 'why-host-loopback.fixed',
    args: ['why', 'ndl-wh-web', 'host:18081'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'to-host',
    sentence: /^ndl-wh-web can reach host:18081: port 18081 accepts connections at [\d.]+$/,
    findings: ['pair.reachable'],
    fix: [],
  },
  {
    snapshot: 'why-address-forward-drop.broken',
    args: ['why', 'ndl-wa-web', '198.51.100.2:80'],
    outcome: 'unreachable',
    exitCode: 1,
    path: 'to-address',
    sentence:
      /^ndl-wa-web cannot reach 198\.51\.100\.2:80 on port 80: firewall: drop \(tcp port 80\): .*dropped by rule 1 of inet ndl_wa forward/,
    findings: ['pair.tcp_port_closed'],
    fix: [/^nft insert rule inet ndl_wa forward .*ip daddr 198\.51\.100\.2 tcp dport 80 accept$/],
  },
  {
    snapshot: 'why-address-forward-drop.fixed',
    args: ['why', 'ndl-wa-web', '198.51.100.2:80'],
    outcome: 'reachable',
    exitCode: 0,
    path: 'to-address',
    sentence: /^ndl-wa-web can reach 198\.51\.100\.2:80: port 80 accepts connections at 198\.51\.100\.2$/,
    findings: ['pair.reachable'],
    fix: [],
  },
];

describe('why to a namespace, the host or an address, on recorded hosts', () => {
  describe.each(CASES)('$snapshot', (entry) => {
    it('gives the verdict, the exit code, the path and the findings of its first broken link', async () => {
      const { code, report } = await replayLab(entry.snapshot, entry.args);
      const pair = report.pair!;
      expect(pair.verdict.sentence).toMatch(entry.sentence);
      expect(pair.verdict.outcome).toBe(entry.outcome);
      expect(code).toBe(entry.exitCode);
      expect(pair.path.kind).toBe(entry.path);
      const reported = report.findings.filter((item) => item.severity !== 'warning').map((item) => item.id);
      for (const id of entry.findings) expect(reported).toContain(id);
      expect(pair.fix.length).toBe(entry.fix.length);
      entry.fix.forEach((wanted, index) => {
        if (typeof wanted === 'string') expect(pair.fix[index]).toBe(wanted);
        else expect(pair.fix[index]).toMatch(wanted);
      });
    });

    it('prints a report that the schema accepts', async () => {
      const { report } = await replayLab(entry.snapshot, entry.args);
      expect(reportSchemaProblems(report)).toBe('');
    });
  });
});
