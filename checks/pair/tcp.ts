import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import {
  brokenBefore,
  closedPorts,
  foundPair,
  nothingListensInB,
  nsenterCommand,
  pairSubject,
  plural,
  portCause,
  type Analysis,
  type PortResult,
} from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer } from '../../src/pair/locate.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'pair.tcp_port_closed': {
    severity: 'error',
    title: 'A port of the second container cannot be reached from the first',
    explanation:
      'A TCP connection from the first container to this port of the second does not succeed. Either nothing listens on the port, or the service listens on the loopback address only (reachable from inside its own container, never from another), or packets are dropped or rejected on the way (a firewall rule, inter-container communication turned off).',
    cause:
      "The service is not started or listens on another port; it binds 127.0.0.1 or ::1 (a common default of development servers and databases); a firewall rule on the host, a DOCKER-USER rule, or docker's enable_icc=false on the network.",
    fix: 'Start the service on the port, make it listen on all addresses (0.0.0.0) instead of loopback, or remove the rule that drops the traffic.',
    docs: 'https://docs.docker.com/engine/network/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
function portFinding(port: PortResult, a: FoundContainer, b: FoundContainer, analysis: Analysis) {
  const { cause, summary, commands } = portCause(port, a, b, analysis);
  return finding('pair.tcp_port_closed', {
    subject: pairSubject(a, b),
    title: `${b.container.name}:${port.port} cannot be reached from ${a.container.name}: ${cause}`,
    evidence: port.evidence,
    fix: { summary, commands },
  });
}
function nothingListens(a: FoundContainer, b: FoundContainer, analysis: Analysis) {
  return finding('pair.tcp_port_closed', {
    subject: pairSubject(a, b),
    title: `nothing listens on any TCP port in ${b.container.name}`,
    evidence: analysis.listeningEvidence ? [analysis.listeningEvidence] : [],
    fix: {
      summary: `Start the service in ${b.container.name}, or name the port to probe with --port.`,
      commands: [
        shellLine([b.cli, 'logs', '--tail', '20', ...operands(b.container.name)]),
        nsenterCommand(b, ['ss', '-l', '-t', '-n', '-p']),
      ],
    },
  });
}

export default {
  id: 'pair.tcp',
  title: "B's TCP ports accept A's connections",
  docs: FINDINGS['pair.tcp_port_closed'].docs,
  findings: FINDINGS,
  pathOrder: 4,
  async run({ analysis }) {
    const unmet = brokenBefore(analysis, 'probes');
    if (unmet !== undefined) return notApplicable(unmet);
    if (analysis.probesBlocked !== undefined) return cannotDecide(analysis.probesBlocked);
    const [a, b] = foundPair(analysis)!;
    const [aName, bName] = [a.container.name, b.container.name];
    const findings: Finding[] = [];
    const sentences: string[] = [];
    if (nothingListensInB(analysis)) {
      const none = nothingListens(a, b, analysis);
      findings.push(none);
      sentences.push(`${aName} cannot reach ${bName}: ${none.title}`);
    }
    const closed = closedPorts(analysis);
    for (const port of closed) {
      findings.push(portFinding(port, a, b, analysis));
      const more =
        closed.length > 1 ? ` (and ${closed.length - 1} more ${plural(closed.length - 1, 'port', 'ports')})` : '';
      sentences.push(
        `${aName} cannot reach ${bName} on port ${port.port}: ${portCause(port, a, b, analysis).cause}${more}`,
      );
    }
    if (findings.length > 0) return verdict(findings, sentences[0]!);
    const unknown = [
      ...analysis.ports
        .filter((port) => port.outcome === 'error')
        .map((port) => `the connection to port ${port.port} could not be tried (${port.detail})`),
      ...(analysis.ports.length === 0 && analysis.listeningUnknown !== undefined
        ? [`no port to probe: ${analysis.listeningUnknown}; name one with --port`]
        : []),
    ];
    if (unknown.length > 0) return cannotDecide(unknown.join('; '));
    return verdict(
      [],
      `${plural(analysis.ports.length, 'port', 'ports')} ${analysis.ports.map((port) => port.port).join(', ')} of ${bName} accept connections from ${aName}`,
    );
  },
} satisfies PairCheck;
