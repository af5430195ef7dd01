import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { shellLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import { label, plural, routeSubject, type Analysis, type PortResult } from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import { brokenRouteLinks } from '../../src/pair/route.js';
import tcp from './tcp.js';

const FINDINGS = {
  'pair.tcp_port_closed': tcp.findings['pair.tcp_port_closed'],
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

const FIREWALL_LISTINGS = ['iptables -S FORWARD', 'iptables -S INPUT', 'nft list ruleset'];

/** Why a port of a namespace, the host or an address does not answer, and what repairs it. */
function portCause(port: PortResult, analysis: Analysis): { cause: string; summary: string; commands: string[] } {
  const route = analysis.route!;
  const target = `${route.target}:${port.port}`;
  const bName = label(analysis.b);
  const listen = port.listen;
  if (listen?.state === 'nothing')
    return {
      cause: `nothing listens on port ${port.port} in ${bName}`,
      summary: `Start the service of ${bName} on port ${port.port}, or connect to the port it does listen on.`,
      commands: [],
    };
  if (listen?.state === 'loopback_only' || listen?.state === 'other_address')
    return {
      cause: `${bName} listens on ${listen.on.join(', ')}, not on ${route.target}`,
      summary: `Make the service of ${bName} listen on all addresses (0.0.0.0), or connect to the address it listens on.`,
      commands: [],
    };
  const broken = brokenRouteLinks(route)[0];
  if (broken !== undefined)
    return {
      cause: `${broken.title}: ${broken.detail}`,
      summary: `Repair the first broken link of the way (${broken.title}).`,
      commands: broken.fix,
    };
  const drop = analysis.firewallDrop?.port === port.port ? analysis.firewallDrop : undefined;
  if (drop !== undefined && (port.outcome === 'timeout' || port.outcome === 'refused'))
    return {
      cause: `packets to ${target} are ${drop.decider.action === 'reject' ? 'rejected' : 'dropped'} by ${drop.description}`,
      summary:
        'Let this traffic through before the rule that drops it (the command below), or remove that rule if nothing needs it; make the change persistent where this host keeps its firewall rules.',
      commands: drop.fix,
    };
  const model = analysis.firewall.evaluated
    ? ` (the firewall model lets it through: ${analysis.firewall.decidedBy})`
    : ` (the firewall was not evaluated: ${analysis.firewall.reason})`;
  if (port.outcome === 'timeout')
    return {
      cause: `packets to ${target} get no answer${model}: they are dropped on the way, or nothing at ${route.target} answers`,
      summary: `Find the rule that drops this traffic and accept it before that rule, or check that ${route.target} is up.`,
      commands: FIREWALL_LISTINGS,
    };
  if (port.outcome === 'refused')
    return {
      cause: `the connection to ${target} is refused: nothing listens there, or a rule rejects it${model}`,
      summary: `Check that the service at ${route.target} listens on port ${port.port}, then the rules that could reject this traffic.`,
      commands: FIREWALL_LISTINGS,
    };
  return {
    cause: `${target} is unreachable from ${label(analysis.a)} (${port.detail})`,
    summary: `Look at the routes from ${label(analysis.a)} to ${route.target} and at the rules that reject it.`,
    commands: FIREWALL_LISTINGS,
  };
}

export default {
  id: 'pair.route-tcp',
  title: 'The TCP ports of a namespace, the host or an address accept connections from A',
  docs: FINDINGS['pair.tcp_port_closed'].docs,
  findings: FINDINGS,
  pathOrder: 4,
  async run({ analysis }) {
    const { route } = analysis;
    if (route === undefined) return notApplicable('A and B are containers, or the way was not planned');
    if (analysis.probesBlocked !== undefined) return cannotDecide(analysis.probesBlocked);
    const [aName, bName] = [label(analysis.a), label(analysis.b)];
    const closed = analysis.ports.filter((port) => port.outcome !== 'open' && port.outcome !== 'error');
    // A service of the host on loopback has a finding of its own (pair.host_service_loopback_only).
    const reported = closed.filter((port) => !(analysis.b.kind === 'host' && port.listen?.state === 'loopback_only'));
    const findings: Finding[] = reported.map((port) => {
      const { cause, summary, commands } = portCause(port, analysis);
      return finding('pair.tcp_port_closed', {
        subject: routeSubject(analysis),
        title: `${analysis.b.kind === 'address' ? `${route.target}:${port.port}` : `${bName} port ${port.port} (${route.target})`} cannot be reached from ${aName}: ${cause}`,
        evidence: port.evidence,
        fix: { summary, commands: commands.length > 0 ? commands : [shellLine(['ss', '-l', '-t', '-n'])] },
      });
    });
    if (findings.length > 0) {
      const first = reported[0]!;
      const more =
        reported.length > 1 ? ` (and ${reported.length - 1} more ${plural(reported.length - 1, 'port', 'ports')})` : '';
      return verdict(
        findings,
        `${aName} cannot reach ${bName} on port ${first.port}: ${portCause(first, analysis).cause}${more}`,
      );
    }
    const errors = analysis.ports.filter((port) => port.outcome === 'error');
    if (errors.length > 0)
      return cannotDecide(
        errors.map((port) => `the connection to port ${port.port} could not be tried (${port.detail})`).join('; '),
      );
    if (analysis.ports.length === 0)
      return notApplicable(
        analysis.listeningUnknown ?? `no TCP port to probe (${bName} listens on none, and none was named)`,
      );
    return verdict(
      [],
      `${plural(analysis.ports.length, 'port', 'ports')} ${analysis.ports.map((port) => port.port).join(', ')} of ${bName} accept connections from ${aName}`,
    );
  },
} satisfies PairCheck;
