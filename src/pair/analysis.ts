import type { FirewallEvaluation } from '../core/pair.js';
import { operands, shellLine } from '../core/shell.js';
import type { HostContext } from '../core/host.js';
import type { Evidence, Subject } from '../core/types.js';
import type { FirewallDrop } from './firewall.js';
import { describeForeign, type FoundContainer, type Location } from './locate.js';
import type { PathPlan } from './path.js';
import type { RouteAnalysis } from './route.js';
import type { DnsOutcome } from './probes.js';
import type { IcmpResult, PortResult } from './probe-run.js';

export type { IcmpResult, PortResult } from './probe-run.js';

export interface NameResolution {
  name: string;
  outcome: 'resolved' | 'unresolved' | 'unknown';
  via: 'hosts' | 'dns' | 'none';
  server?: string;
  dnsOutcome?: DnsOutcome;
  addresses: string[];
  /** Why it resolves or not, in words. */
  detail: string;
  evidence: Evidence[];
}

/** Everything `why` learned, statically and by probing, that the verdict is drawn from. */
export interface Analysis {
  context: HostContext;
  a: Location;
  b: Location;
  plan?: PathPlan;
  /** Why no probe could run from A's namespace, when none could. */
  probesBlocked?: string;
  ports: PortResult[];
  portsFrom: 'option' | 'listening';
  /** Why B's listening sockets could not be read, when they could not. */
  listeningUnknown?: string;
  /** What B's listening sockets were read from. */
  listeningEvidence?: Evidence;
  icmp?: IcmpResult;
  name?: NameResolution;
  /** Docker's enable_icc=false on the shared network. */
  iccOff?: Evidence;
  firewall: FirewallEvaluation;
  /** The rule the firewall model finds dropping A's connection to a port of B. */
  firewallDrop?: FirewallDrop;
  /** B's net.ipv4.icmp_echo_ignore_all, read when ping gets no answer while TCP connects. */
  echoIgnore?: { value: string; evidence: Evidence };
  /** The way to a namespace, the host or an address (one end is not a container), link by link. */
  route?: RouteAnalysis;
}

export function label(location: Location): string {
  return location.kind === 'found'
    ? location.container.name
    : location.kind === 'foreign'
      ? location.name
      : location.reference;
}

export function ownerOf(location: FoundContainer): string {
  const { engine, scope } = location.container;
  if (engine === 'docker') return 'docker';
  return scope === 'rootful' ? 'rootful podman' : `${location.user}'s rootless podman`;
}

export function describeLocation(location: Location, context: HostContext): string {
  if (location.kind === 'found') {
    const { engine, scope } = location.container;
    if (engine === 'docker') return 'a docker container';
    return scope === 'rootful' ? 'a rootful podman container' : `a rootless podman container of ${location.user}`;
  }
  if (location.kind === 'foreign') return describeForeign(location, context);
  return 'not found';
}

export function pairSubject(a: FoundContainer, b: Location): Subject {
  const containers = [a.container.name, label(b)];
  if (b.kind === 'found' && b.container.engine === a.container.engine && b.container.scope === a.container.scope) {
    return { engine: a.container.engine, scope: a.container.scope, containers };
  }
  return { containers };
}

export function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

export function createCommandHint(location: Location): string[] {
  if (location.kind === 'found') {
    return location.container.engine === 'podman'
      ? [
          shellLine([
            location.cli,
            'container',
            'inspect',
            '--format',
            '{{.Config.CreateCommand}}',
            ...operands(location.container.name),
          ]),
        ]
      : [
          shellLine([
            'docker',
            'container',
            'inspect',
            '--format',
            '{{.Config.Image}} {{.Config.Cmd}}',
            ...operands(location.container.name),
          ]),
        ];
  }
  if (location.kind === 'foreign' && location.uid !== 0) {
    return [
      shellLine([
        'su',
        '-',
        location.user,
        '-c',
        shellLine([
          'podman',
          'container',
          'inspect',
          '--format',
          '{{.Config.CreateCommand}}',
          ...operands(location.name),
        ]),
      ]),
    ];
  }
  return [];
}

/** A command run in the container's network namespace, as a person types it (through podman unshare when rootless). */
export function nsenterCommand(location: FoundContainer, argv: readonly string[]): string {
  const enter = ['nsenter', '--target', String(location.container.pid ?? '<pid>'), '--net', ...argv];
  return shellLine(location.container.scope === 'rootless' ? ['podman', 'unshare', ...enter] : enter);
}

export function portCause(
  port: PortResult,
  a: FoundContainer,
  b: FoundContainer,
  analysis: Analysis,
): { cause: string; summary: string; commands: string[] } {
  const target = analysis.plan?.target ?? '';
  const listening = nsenterCommand(b, ['ss', '-l', '-t', '-n', '-p', 'sport', '=', `:${port.port}`]);
  const listenState = port.listen?.state;
  if (listenState === 'nothing' && port.outcome !== 'open') {
    return {
      cause: `nothing listens on port ${port.port} in ${b.container.name}`,
      summary: `Start the service in ${b.container.name} on port ${port.port}, or connect to the port it does listen on.`,
      commands: [
        shellLine([b.cli, 'logs', '--tail', '20', ...operands(b.container.name)]),
        nsenterCommand(b, ['ss', '-l', '-t', '-n', '-p']),
      ],
    };
  }
  if (listenState === 'loopback_only') {
    return {
      cause: `${b.container.name} listens on ${port.listen!.on.join(', ')} only, a loopback address no other container can reach`,
      summary: `Make the service in ${b.container.name} listen on all addresses (0.0.0.0) instead of loopback, restart it, then check that it listens on 0.0.0.0:${port.port}.`,
      commands: [listening],
    };
  }
  if (listenState === 'other_address') {
    return {
      cause: `${b.container.name} listens on ${port.listen!.on.join(', ')}, not on ${target}`,
      summary: `Make the service in ${b.container.name} listen on all addresses (0.0.0.0), or connect to the address it listens on.`,
      commands: [listening],
    };
  }
  if (port.outcome === 'timeout' && analysis.iccOff !== undefined) {
    const network = analysis.plan?.network?.name ?? '';
    return {
      cause: `packets to ${target}:${port.port} are dropped: inter-container communication is off on docker network ${network} (enable_icc=false)`,
      summary: `Docker cannot turn icc back on for an existing network: move both containers to a network created with inter-container communication on (the default).`,
      commands: [
        'docker network create app',
        shellLine(['docker', 'network', 'connect', 'app', ...operands(a.container.name)]),
        shellLine(['docker', 'network', 'connect', 'app', ...operands(b.container.name)]),
        shellLine(['docker', 'network', 'disconnect', ...operands(network, a.container.name)]),
        shellLine(['docker', 'network', 'disconnect', ...operands(network, b.container.name)]),
      ],
    };
  }
  const drop = analysis.firewallDrop?.port === port.port ? analysis.firewallDrop : undefined;
  if (drop !== undefined && (port.outcome === 'timeout' || port.outcome === 'refused')) {
    return {
      cause: `packets to ${target}:${port.port} are ${drop.decider.action === 'reject' ? 'rejected' : 'dropped'} by ${drop.description}`,
      summary: `Let this traffic through before the rule that drops it (the command below), or remove that rule if nothing needs it; make the change persistent where this host keeps its firewall rules.`,
      commands: drop.fix,
    };
  }
  const firewallCommands = [
    'iptables -S FORWARD',
    ...(a.container.engine === 'docker' || b.container.engine === 'docker' ? ['iptables -S DOCKER-USER'] : []),
    'nft list ruleset',
  ];
  const model = analysis.firewall.evaluated
    ? ` (the firewall model lets it through: ${analysis.firewall.decidedBy})`
    : ` (the firewall was not evaluated: ${analysis.firewall.reason})`;
  if (port.outcome === 'timeout') {
    return {
      cause: `packets to ${target}:${port.port} are dropped on the way${model}`,
      summary: `Find the rule that drops traffic from ${a.container.name} to ${b.container.name} on port ${port.port} and remove it or accept this traffic before it.`,
      commands: firewallCommands,
    };
  }
  if (port.outcome === 'refused' && listenState === undefined) {
    return {
      cause: `the connection to ${target}:${port.port} is refused: nothing listens there, or a firewall rule rejects it (${b.container.name}'s sockets could not be read)`,
      summary: `Check what ${b.container.name} listens on, then the rules that could reject this traffic.`,
      commands: [listening, ...firewallCommands],
    };
  }
  if (port.outcome === 'refused') {
    return {
      cause: `the connection to ${target}:${port.port} is refused although ${b.container.name} listens on ${port.listen?.on.join(', ') ?? 'it'}: a firewall rule rejects it${model}`,
      summary: `Find the REJECT rule that matches traffic from ${a.container.name} to ${b.container.name} on port ${port.port} and remove it.`,
      commands: firewallCommands,
    };
  }
  return {
    cause: `${target} is unreachable from ${a.container.name} (${port.detail})`,
    summary: `Look at the route ${a.container.name} takes to ${target} and at the rules that reject it.`,
    commands: [nsenterCommand(a, ['ip', 'route', 'get', target]), ...firewallCommands],
  };
}

export function nameCause(resolution: NameResolution, plan: PathPlan): string {
  const network = plan.network;
  if (plan.names === 'no_dns' && network !== undefined) {
    const which = network.isDefault
      ? `${network.engine === 'docker' ? "docker's" : "podman's"} default network ${network.name}`
      : `network ${network.name}`;
    return `${which} has no DNS`;
  }
  return resolution.detail;
}

export function reachSummary(analysis: Analysis): string {
  const plan = analysis.plan!;
  const ports = analysis.ports.map((port) => port.port);
  const where =
    plan.kind === 'shared-network' && plan.network
      ? ` on network ${plan.network.name}`
      : plan.kind === 'shared-namespace'
        ? ' (one network namespace)'
        : '';
  const portText = `${plural(ports.length, 'port', 'ports')} ${ports.join(', ')} ${plural(ports.length, 'accepts', 'accept')} connections at ${plan.target}${where}`;
  const name =
    analysis.name?.outcome === 'resolved'
      ? `, and the name ${analysis.name.name} resolves to ${analysis.name.addresses.join(', ')}`
      : '';
  return `${portText}${name}`;
}

export function whyNotFound(location: Location): string | undefined {
  if (location.kind === 'missing') return location.reason;
  if (location.kind === 'ambiguous') {
    const where = location.candidates
      .map((candidate) => `${ownerOf(candidate)} (${candidate.container.id.slice(0, 12)})`)
      .join(' and ');
    return `${location.reference} names a container in ${where}: write docker:${location.reference} or podman:${location.reference}, or use an id`;
  }
  return undefined;
}

/** Both containers, when both were found. */
export function foundPair(analysis: Analysis): [FoundContainer, FoundContainer] | undefined {
  const { a, b } = analysis;
  return a.kind === 'found' && b.kind === 'found' ? [a, b] : undefined;
}

export function stoppedContainers(analysis: Analysis): FoundContainer[] {
  return [analysis.a, analysis.b].filter(
    (location): location is FoundContainer => location.kind === 'found' && !location.container.running,
  );
}

export function openPorts(analysis: Analysis): PortResult[] {
  return analysis.ports.filter((port) => port.outcome === 'open');
}

/** Ports that were probed and did not accept the connection (not those whose probe could not run). */
export function closedPorts(analysis: Analysis): PortResult[] {
  return analysis.ports.filter((port) => port.outcome !== 'open' && port.outcome !== 'error');
}

/** No port was named and B's sockets were read: nothing listens on TCP in B at all. */
export function nothingListensInB(analysis: Analysis): boolean {
  return analysis.ports.length === 0 && analysis.portsFrom === 'listening' && analysis.listeningUnknown === undefined;
}

/** A port B listens on where A's packets got lost, while ping may pass. */
export function droppedPort(analysis: Analysis): PortResult | undefined {
  return closedPorts(analysis).find(
    (port) => port.listen?.state === 'reachable' && (port.outcome === 'timeout' || port.outcome === 'unreachable'),
  );
}

/** "A reaches B only by address (...)", when every probed port answered although the pair shares no network. */
export function byAddressOnly(analysis: Analysis, a: string, b: string): string | undefined {
  const open = openPorts(analysis);
  const plan = analysis.plan;
  if (plan === undefined || open.length === 0 || closedPorts(analysis).length > 0) return undefined;
  return `${a} reaches ${b} only by address (${plan.target}:${open.map((port) => port.port).join(',')}, ${plan.kind === 'routed' ? 'routed' : 'through the host'})`;
}

/**
 * The links of the way from A to B, in order. A pair check looks at one link, and only once every link before it
 * holds: a path that breaks early is reported where it breaks, not again at every later link.
 */
export type PathLinkName = 'owner' | 'network' | 'probes' | 'results';

/** Why the links before `link` do not hold (the check of `link` then does not apply), or undefined when they do. */
export function brokenBefore(analysis: Analysis, link: PathLinkName): string | undefined {
  const stopped = stoppedContainers(analysis);
  if (stopped.length > 0)
    return `${stopped.map((location) => location.container.name).join(' and ')} ${stopped.length === 1 ? 'is' : 'are'} not running`;
  const other = notAContainer(analysis);
  if (other !== undefined) return `${other} is not a container: the way there is read link by link`;
  if (link === 'owner') return undefined;
  const pair = foundPair(analysis);
  if (pair === undefined) return 'a container was not found';
  const plan = analysis.plan;
  if (plan === undefined || !plan.sameOwner)
    return `${pair[0].container.name} and ${pair[1].container.name} belong to different engines or users`;
  if (link === 'network') return undefined;
  if (plan.kind === 'routed' || plan.kind === 'none') return 'they share no network';
  if (link === 'probes') return undefined;
  return analysis.probesBlocked === undefined ? undefined : `no probe ran: ${analysis.probesBlocked}`;
}

/** An end that is a named namespace, the host or an address (the way to it is route.ts's), or undefined. */
export function notAContainer(analysis: Analysis): string | undefined {
  const end = [analysis.a, analysis.b].find(
    (location) => location.kind === 'namespace' || location.kind === 'host' || location.kind === 'address',
  );
  return end === undefined ? undefined : label(end);
}

/** The subject of a finding about a way to a namespace, the host or an address: its containers and namespaces. */
export function routeSubject(analysis: Analysis): Subject {
  const ends = [analysis.a, analysis.b];
  const containers = ends.flatMap((location) => (location.kind === 'found' ? [location.container.name] : []));
  const namespaces = ends.flatMap((location) => (location.kind === 'namespace' ? [location.name] : []));
  const subject: Subject = {};
  if (containers.length > 0) subject.containers = containers;
  if (namespaces.length > 0) subject.namespaces = namespaces;
  return subject;
}

/** "ports 80 accept connections at 10.231.1.3", or what ping saw when no port was probed. */
export function routeReachSummary(analysis: Analysis): string {
  const route = analysis.route!;
  const ports = analysis.ports.map((port) => port.port);
  const where = route.network !== undefined ? ` on bridge ${route.network}` : '';
  if (ports.length > 0)
    return `${plural(ports.length, 'port', 'ports')} ${ports.join(', ')} ${plural(ports.length, 'accepts', 'accept')} connections at ${route.target}${where}`;
  return `ping ${route.target} is answered${where} (${analysis.icmp?.detail ?? 'no detail'})`;
}
