import type { Readable, SysctlValue } from '../facts/files.js';
import type { BridgeNetfilter } from '../facts/firewall.js';
import { fileEvidence } from '../core/finding.js';
import type { Evidence } from '../core/types.js';
import { describeForeign, type FoundContainer, type Location } from './locate.js';
import { networkNames } from './path.js';
import { endLabel } from './route.js';
import type { Analysis } from './analysis.js';
import type { LinkStatus, PathLink } from '../core/pair.js';

/** Host settings on a rootful path, read through the same facts the host checks use. */
export interface HostPathSettings {
  ipForward?: Readable<SysctlValue>;
  bridgeForwarding: { bridge: string; value: Readable<SysctlValue> }[];
  bridgeNetfilter?: BridgeNetfilter;
}

function link(id: string, title: string, status: LinkStatus, detail: string, evidence: Evidence[] = []): PathLink {
  return { id, title, status, detail, evidence };
}

function sysctlEvidence(value: Readable<SysctlValue> | undefined): Evidence[] {
  return value?.ok ? [fileEvidence(value.value.path, value.value.raw)] : [];
}

function locationLink(location: Location, role: 'A' | 'B', context: Analysis['context']): PathLink | undefined {
  if (
    location.kind === 'found' ||
    location.kind === 'namespace' ||
    location.kind === 'host' ||
    location.kind === 'address'
  )
    return undefined;
  if (location.kind === 'foreign') {
    return link(
      `found-${role.toLowerCase()}`,
      `${role} found`,
      'warning',
      `${location.name} is ${describeForeign(location, context)}, which netdoctor cannot inspect as ${context.user}`,
      [location.evidence],
    );
  }
  if (location.kind === 'ambiguous') {
    return link(
      `found-${role.toLowerCase()}`,
      `${role} found`,
      'unknown',
      `${location.reference} names more than one container`,
      location.candidates.map((candidate) => candidate.evidence),
    );
  }
  return link(`found-${role.toLowerCase()}`, `${role} found`, 'unknown', location.reason, location.evidence);
}

function runningLink(a: FoundContainer, b: FoundContainer | undefined): PathLink {
  const containers = b === undefined ? [a] : [a, b];
  const stopped = containers.filter((location) => !location.container.running);
  const evidence = containers.map((location) => location.evidence);
  const title = b === undefined ? 'running' : 'both running';
  if (stopped.length === 0)
    return link(
      'running',
      title,
      'ok',
      `${containers.map((location) => `${location.container.name} (pid ${location.container.pid ?? '?'})`).join(' and ')} ${containers.length === 1 ? 'is' : 'are'} running`,
      evidence,
    );
  return link(
    'running',
    title,
    'broken',
    stopped.map((location) => `${location.container.name} is ${location.container.state}`).join('; '),
    evidence,
  );
}

function ownerLink(a: FoundContainer, b: FoundContainer, sameOwner: boolean): PathLink {
  const describe = (location: FoundContainer) =>
    `${location.container.engine} ${location.container.scope} (user ${location.user})`;
  if (sameOwner) return link('owner', 'same engine and user', 'ok', `both are ${describe(a)} containers`);
  return link(
    'owner',
    'same engine and user',
    'broken',
    `${a.container.name} is ${describe(a)}, ${b.container.name} is ${describe(b)}: their networks never meet`,
  );
}

function networkLink(analysis: Analysis, a: FoundContainer, b: FoundContainer): PathLink {
  const plan = analysis.plan!;
  const where = `${a.container.name}: ${networkNames(a.container)}; ${b.container.name}: ${networkNames(b.container)}`;
  switch (plan.kind) {
    case 'shared-namespace':
    case 'shared-network':
      return link('network', 'shared network', 'ok', plan.description);
    case 'host-network':
      return link('network', 'shared network', 'warning', plan.description);
    case 'routed':
    case 'none':
      return link('network', 'shared network', 'broken', `${plan.description} (${where})`);
  }
}

function dnsLink(analysis: Analysis): PathLink | undefined {
  const network = analysis.plan?.network;
  if (analysis.plan?.kind !== 'shared-network') return undefined;
  if (network === undefined)
    return link('dns', 'DNS on the network', 'unknown', 'the shared network could not be inspected');
  const evidence: Evidence[] = [
    {
      source: 'command',
      what: `${network.engine} network inspect ${network.name}`,
      excerpt: `dns enabled: ${network.dnsEnabled}${network.isDefault ? ' (default network)' : ''}`,
    },
  ];
  if (network.dnsEnabled)
    return link(
      'dns',
      'DNS on the network',
      'ok',
      `network ${network.name} has DNS: container names resolve on it`,
      evidence,
    );
  const why = network.isDefault
    ? `it is ${network.engine}'s default network, which never has DNS`
    : 'it was created without DNS';
  return link('dns', 'DNS on the network', 'broken', `network ${network.name} has no DNS: ${why}`, evidence);
}

function iccLink(analysis: Analysis): PathLink | undefined {
  const network = analysis.plan?.network;
  if (analysis.plan?.kind !== 'shared-network' || network?.engine !== 'docker' || network.driver !== 'bridge')
    return undefined;
  if (analysis.iccOff !== undefined)
    return link(
      'icc',
      'inter-container communication',
      'broken',
      `enable_icc=false on ${network.name}: docker drops traffic between its containers`,
      [analysis.iccOff],
    );
  return link('icc', 'inter-container communication', 'ok', `inter-container communication is on for ${network.name}`);
}

function forwardingLink(analysis: Analysis, settings: HostPathSettings): PathLink | undefined {
  const plan = analysis.plan;
  if (plan?.kind !== 'routed' || settings.ipForward === undefined) return undefined;
  const values = [settings.ipForward, ...settings.bridgeForwarding.map((entry) => entry.value)];
  const evidence = values.flatMap(sysctlEvidence);
  const unreadable = values.filter((value) => !value.ok);
  const off = values.filter((value) => value.ok && value.value.raw !== '1');
  if (off.length > 0)
    return link(
      'forwarding',
      'IPv4 forwarding',
      'broken',
      `the host routes this path, and forwarding is off: ${off.map((value) => (value.ok ? `${value.value.name} = ${value.value.raw}` : '')).join(', ')}`,
      evidence,
    );
  if (unreadable.length > 0)
    return link(
      'forwarding',
      'IPv4 forwarding',
      'unknown',
      unreadable.map((value) => (value.ok ? '' : value.reason)).join('; '),
      evidence,
    );
  return link(
    'forwarding',
    'IPv4 forwarding',
    'ok',
    `the host routes this path, and forwarding is on (${values.map((value) => (value.ok ? value.value.name : '')).join(', ')})`,
    evidence,
  );
}

function firewallLink(analysis: Analysis, settings: HostPathSettings): PathLink | undefined {
  const plan = analysis.plan;
  if (plan === undefined || plan.kind === 'shared-namespace' || plan.kind === 'none') return undefined;
  const netfilter = settings.bridgeNetfilter;
  const bridged =
    plan.kind === 'shared-network' && netfilter?.ok
      ? netfilter.value
        ? "; bridged traffic on this network crosses the host's IP forward hook, iptables and nftables alike (bridge-nf-call-iptables = 1)"
        : "; bridged traffic on this network does not cross the host's IP hooks (bridge-nf-call-iptables is not 1)"
      : '';
  const netfilterEvidence = netfilter?.ok ? [netfilter.evidence] : [];
  const { firewall } = analysis;
  if (!firewall.evaluated)
    return link('firewall', 'firewall', 'unknown', `not evaluated: ${firewall.reason}${bridged}`, netfilterEvidence);
  const evidence = [...netfilterEvidence, ...(analysis.firewallDrop ? [analysis.firewallDrop.evidence] : [])];
  const detail = `${firewall.verdict}, decided by ${firewall.decidedBy}${bridged}`;
  if (firewall.verdict.startsWith('accept')) return link('firewall', 'firewall', 'ok', detail, evidence);
  if (!firewall.verdict.startsWith('drop')) return link('firewall', 'firewall', 'unknown', detail, evidence);
  // The probe is what happened; a model that disagrees with it misses a rule or a setting.
  const contradicted = analysis.ports.some(
    (port) => port.port === analysis.firewallDrop?.port && port.outcome === 'open',
  );
  return contradicted
    ? link(
        'firewall',
        'firewall',
        'warning',
        `${detail}; yet the probe got through: the model misses something on this host`,
        evidence,
      )
    : link('firewall', 'firewall', 'broken', detail, evidence);
}

function probeLinks(analysis: Analysis, bName: string): PathLink[] {
  const links: PathLink[] = [];
  if (analysis.probesBlocked !== undefined) return [link('probes', 'probes', 'unknown', analysis.probesBlocked)];
  if (analysis.listeningEvidence !== undefined || analysis.listeningUnknown !== undefined) {
    links.push(
      analysis.listeningUnknown !== undefined
        ? link(
            'listening',
            `${bName} listening`,
            'unknown',
            analysis.listeningUnknown,
            analysis.listeningEvidence ? [analysis.listeningEvidence] : [],
          )
        : link(
            'listening',
            `${bName} listening`,
            analysis.ports.length > 0 || analysis.portsFrom === 'option' || analysis.route !== undefined
              ? 'ok'
              : 'broken',
            analysis.listeningEvidence!.excerpt,
            [analysis.listeningEvidence!],
          ),
    );
  }
  const icmp = analysis.icmp;
  if (icmp !== undefined) {
    const status: LinkStatus =
      icmp.outcome === 'reply'
        ? 'ok'
        : icmp.outcome === 'no_reply' || icmp.outcome === 'unreachable'
          ? 'warning'
          : 'unknown';
    links.push(link('icmp', 'ping', status, icmp.detail, icmp.evidence));
  }
  for (const port of analysis.ports) {
    const status: LinkStatus = port.outcome === 'open' ? 'ok' : port.outcome === 'error' ? 'unknown' : 'broken';
    const listen =
      port.listen === undefined
        ? ''
        : port.listen.state === 'nothing'
          ? '; nothing listens on it'
          : `; listening on ${port.listen.on.join(', ')}`;
    links.push(link(`tcp-${port.port}`, `TCP ${port.port}`, status, `${port.detail}${listen}`, port.evidence));
  }
  const name = analysis.name;
  if (name !== undefined) {
    const status: LinkStatus =
      name.outcome === 'resolved' ? 'ok' : name.outcome === 'unresolved' ? 'broken' : 'unknown';
    links.push(link('name', `name ${name.name}`, status, name.detail, name.evidence));
  }
  return links;
}

/** An end that is not a container: the way to it is read link by link (route.ts). */
function isRouteEnd(location: Location): boolean {
  return location.kind === 'namespace' || location.kind === 'host' || location.kind === 'address';
}

/** The evidence chain from A to B, link by link, in the order a packet meets them. */
export function buildLinks(analysis: Analysis, settings: HostPathSettings): PathLink[] {
  const { a, b, context } = analysis;
  const links = [locationLink(a, 'A', context), locationLink(b, 'B', context)].filter(
    (entry): entry is PathLink => entry !== undefined,
  );
  const route = analysis.route;
  if (route !== undefined || isRouteEnd(a) || isRouteEnd(b)) {
    if (a.kind === 'found') links.push(runningLink(a, b.kind === 'found' ? b : undefined));
    if (route === undefined) return links;
    const read = route.links.map(({ id, title, status, detail, evidence }) => ({
      id,
      title,
      status,
      detail,
      evidence,
    }));
    return [...links, ...read, ...probeLinks(analysis, endLabel(b))];
  }
  if (a.kind !== 'found' || b.kind !== 'found') return links;
  links.push(runningLink(a, b));
  if (!a.container.running || !b.container.running || analysis.plan === undefined) return links;
  links.push(ownerLink(a, b, analysis.plan.sameOwner), networkLink(analysis, a, b));
  const optional = [
    dnsLink(analysis),
    iccLink(analysis),
    forwardingLink(analysis, settings),
    firewallLink(analysis, settings),
  ];
  links.push(...optional.filter((entry): entry is PathLink => entry !== undefined));
  links.push(...probeLinks(analysis, b.container.name));
  return links;
}
