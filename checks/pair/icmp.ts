import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import {
  brokenBefore,
  droppedPort,
  foundPair,
  nsenterCommand,
  openPorts,
  pairSubject,
  portCause,
  type Analysis,
  type IcmpResult,
  type PortResult,
} from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer } from '../../src/pair/locate.js';

const FINDINGS = {
  'pair.icmp_blocked': {
    severity: 'warning',
    title: 'ICMP and TCP disagree between the two containers',
    explanation:
      'A ping from the first container to the second gets no answer while TCP connections work (or the reverse). A ping alone is then no test of the path: a firewall rule or a setting treats ICMP differently from TCP.',
    cause:
      "A firewall rule drops or rejects ICMP echo (or only TCP), or the second container's kernel ignores echo requests (net.ipv4.icmp_echo_ignore_all).",
    fix: 'Test reachability with TCP to the real service port; if ping must work, find the rule that treats ICMP differently.',
    docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
/** Ping and TCP disagree: either B ignores echo requests, a rule drops ICMP only, or (the reverse) TCP only. */
function icmpFinding(
  icmp: IcmpResult,
  a: FoundContainer,
  b: FoundContainer,
  analysis: Analysis,
  droppedPort: PortResult | undefined,
) {
  const target = analysis.plan?.target ?? '';
  const evidence = [...icmp.evidence, ...analysis.ports.flatMap((port) => port.evidence)];
  const subject = pairSubject(a, b);
  if (droppedPort !== undefined) {
    const { summary, commands } = portCause(droppedPort, a, b, analysis);
    return finding('pair.icmp_blocked', {
      subject,
      title: `ping from ${a.container.name} to ${b.container.name} (${target}) is answered, while TCP is dropped`,
      detail: `ICMP passing says nothing about port ${droppedPort.port}: the rule that drops TCP is the one to fix.`,
      evidence,
      fix: { summary, commands },
    });
  }
  const title = `ping from ${a.container.name} to ${b.container.name} (${target}) gets no answer, while TCP connects`;
  const ignore = analysis.echoIgnore;
  if (ignore?.value === '1') {
    return finding('pair.icmp_blocked', {
      subject,
      title: `${title}: ${b.container.name} ignores echo requests (net.ipv4.icmp_echo_ignore_all = 1)`,
      evidence: [...evidence, ignore.evidence],
      fix: {
        summary: `Let ${b.container.name} answer pings again (recreate it with --sysctl net.ipv4.icmp_echo_ignore_all=0 for good), or test with TCP.`,
        commands: [nsenterCommand(b, ['sysctl', '-w', 'net.ipv4.icmp_echo_ignore_all=0'])],
      },
    });
  }
  return finding('pair.icmp_blocked', {
    subject,
    title,
    ...(ignore === undefined
      ? {}
      : {
          detail: `${b.container.name} does answer echo requests (icmp_echo_ignore_all = ${ignore.value}): a rule on the way drops ICMP.`,
        }),
    evidence: ignore === undefined ? evidence : [...evidence, ignore.evidence],
    fix: {
      summary:
        'Find the rule that drops ICMP echo between the two in these listings and accept ICMP before it, or test with TCP.',
      commands: ['iptables -S FORWARD', 'nft list ruleset'],
    },
  });
}

export default {
  id: 'pair.icmp',
  title: 'Ping and TCP agree',
  docs: FINDINGS['pair.icmp_blocked'].docs,
  findings: FINDINGS,
  pathOrder: 6,
  async run({ analysis }) {
    const unmet = brokenBefore(analysis, 'results');
    if (unmet !== undefined) return notApplicable(unmet);
    const [a, b] = foundPair(analysis)!;
    const icmp = analysis.icmp;
    if (icmp === undefined) return notApplicable('no ping on this path: A and B share one network namespace');
    const dropped = droppedPort(analysis);
    if (icmp.outcome === 'no_reply' && openPorts(analysis).length > 0) {
      const item = icmpFinding(icmp, a, b, analysis, undefined);
      return verdict([item], item.title);
    }
    if (icmp.outcome === 'reply' && dropped !== undefined) {
      const item = icmpFinding(icmp, a, b, analysis, dropped);
      return verdict([item], item.title);
    }
    return verdict([], `ping: ${icmp.outcome} (${icmp.detail})`);
  },
} satisfies PairCheck;
