import type { HostContext } from '../host/host.js';
import type { FirewallDrop } from './firewall.js';
import { finding } from '../finding.js';
import type { Evidence, Finding, Subject } from '../types.js';
import { describeForeign, type FoundContainer, type Location } from './locate.js';
import { networkNames, type PathPlan } from './path.js';
import type { DnsOutcome, IcmpOutcome, ListenState, TcpOutcome } from './probes.js';
import type { FirewallEvaluation, PairOutcome } from './types.js';

export interface PortResult {
  port: number;
  outcome: TcpOutcome;
  detail: string;
  /** What B's sockets say about this port; undefined when they could not be read. */
  listen?: { state: ListenState; on: string[] };
  evidence: Evidence[];
}

export interface IcmpResult {
  outcome: IcmpOutcome;
  detail: string;
  evidence: Evidence[];
}

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
}

export interface Verdict {
  outcome: PairOutcome;
  sentence: string;
  findings: Finding[];
}

function label(location: Location): string {
  return location.kind === 'found' ? location.container.name : location.kind === 'foreign' ? location.name : location.reference;
}

function ownerOf(location: FoundContainer): string {
  const { engine, scope } = location.container;
  if (engine === 'docker') return 'docker';
  return scope === 'rootful' ? 'rootful podman' : `${location.user}'s rootless podman`;
}

function describeLocation(location: Location, context: HostContext): string {
  if (location.kind === 'found') {
    const { engine, scope } = location.container;
    if (engine === 'docker') return 'a docker container';
    return scope === 'rootful' ? 'a rootful podman container' : `a rootless podman container of ${location.user}`;
  }
  if (location.kind === 'foreign') return describeForeign(location, context);
  return 'not found';
}

function pairSubject(a: FoundContainer, b: Location): Subject {
  const containers = [a.container.name, label(b)];
  if (b.kind === 'found' && b.container.engine === a.container.engine && b.container.scope === a.container.scope) {
    return { engine: a.container.engine, scope: a.container.scope, containers };
  }
  return { containers };
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

function notRunning(location: FoundContainer): Finding {
  const { container, cli } = location;
  return finding('pair.not_running', {
    subject: { engine: container.engine, scope: container.scope, containers: [container.name] },
    title: `${container.name} is not running (${container.state})`,
    evidence: [location.evidence],
    fix: { commands: [`${cli} logs --tail 20 ${container.name}`, `${cli} start ${container.name}`] },
  });
}

function createCommandHint(location: Location): string[] {
  if (location.kind === 'found') {
    return location.container.engine === 'podman'
      ? [`${location.cli} container inspect --format '{{.Config.CreateCommand}}' ${location.container.name}`]
      : [`docker container inspect --format '{{.Config.Image}} {{.Config.Cmd}}' ${location.container.name}`];
  }
  if (location.kind === 'foreign' && location.uid !== 0) {
    return [`su - ${location.user} -c "podman container inspect --format '{{.Config.CreateCommand}}' ${location.name}"`];
  }
  return [];
}

function differentEngines(a: FoundContainer, b: Location, context: HostContext): Finding {
  const bEvidence = b.kind === 'found' || b.kind === 'foreign' ? [b.evidence] : [];
  const aNetwork = a.container.networks[0]?.network;
  const recreate = aNetwork ? `${a.cli} run --network ${aNetwork} …` : `${a.cli} run …`;
  return finding('pair.different_engines', {
    subject: pairSubject(a, b),
    title: `${a.container.name} is ${describeLocation(a, context)}, ${label(b)} is ${describeLocation(b, context)}`,
    evidence: [a.evidence, ...bEvidence],
    fix: {
      summary: `Recreate ${label(b)} with ${ownerOf(a)} next to ${a.container.name} (${recreate}, with the options the first command shows), or publish its port on the host (-p) and connect ${a.container.name} to the host's address.`,
      commands: createCommandHint(b),
    },
  });
}

function noSharedNetwork(a: FoundContainer, b: FoundContainer, analysis: Analysis): Finding {
  const open = analysis.ports.filter((port) => port.outcome === 'open');
  const plan = analysis.plan;
  const isolation = analysis.firewallDrop?.owner === 'docker-isolation' ? analysis.firewallDrop : undefined;
  const byAddress =
    open.length > 0 && plan?.target !== undefined
      ? `By address, ${plan.target}:${open.map((port) => port.port).join(',')} does answer: ${plan.description.replace(/^no shared network: /, '')}.`
      : isolation !== undefined
        ? `Even by address, docker keeps its networks apart: ${isolation.description}.`
        : undefined;
  const bNetwork = b.container.networks[0]?.network;
  const aBridged = a.container.networks.length > 0;
  const commands = bNetwork !== undefined && aBridged ? [`${a.cli} network connect ${bNetwork} ${a.container.name}`] : [`${a.cli} network create app`];
  const summary =
    bNetwork !== undefined && aBridged
      ? `Attach ${a.container.name} to ${b.container.name}'s network ${bNetwork}; ${b.container.name} is then reachable by name.`
      : `Create one network and recreate ${a.container.name} and ${b.container.name} with --network app (a container in ${a.container.networkMode} mode cannot be attached to a network while it runs).`;
  return finding('pair.no_shared_network', {
    subject: pairSubject(a, b),
    title: `${a.container.name} and ${b.container.name} share no network (${a.container.name} is on ${networkNames(a.container)}, ${b.container.name} on ${networkNames(b.container)})`,
    ...(byAddress === undefined ? {} : { detail: byAddress }),
    evidence: isolation === undefined ? [a.evidence, b.evidence] : [a.evidence, b.evidence, isolation.evidence],
    fix: { summary, commands },
  });
}

function nsenterCommand(location: FoundContainer, argv: string): string {
  const enter = `nsenter --target ${location.container.pid ?? '<pid>'} --net ${argv}`;
  return location.container.scope === 'rootless' ? `podman unshare ${enter}` : enter;
}

/** Why a port is closed, in a few words for the sentence, and what fixes it. */
function portCause(port: PortResult, a: FoundContainer, b: FoundContainer, analysis: Analysis): { cause: string; summary: string; commands: string[] } {
  const target = analysis.plan?.target ?? '';
  const listening = nsenterCommand(b, `ss -l -t -n -p sport = :${port.port}`);
  const listenState = port.listen?.state;
  if (listenState === 'nothing' && port.outcome !== 'open') {
    return {
      cause: `nothing listens on port ${port.port} in ${b.container.name}`,
      summary: `Start the service in ${b.container.name} on port ${port.port}, or connect to the port it does listen on.`,
      commands: [`${b.cli} logs --tail 20 ${b.container.name}`, nsenterCommand(b, 'ss -l -t -n -p')],
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
        `docker network connect app ${a.container.name}`,
        `docker network connect app ${b.container.name}`,
        `docker network disconnect ${network} ${a.container.name}`,
        `docker network disconnect ${network} ${b.container.name}`,
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
  const firewallCommands = ['iptables -S FORWARD', ...(a.container.engine === 'docker' || b.container.engine === 'docker' ? ['iptables -S DOCKER-USER'] : []), 'nft list ruleset'];
  const model = analysis.firewall.evaluated ? ` (the firewall model lets it through: ${analysis.firewall.decidedBy})` : ` (the firewall was not evaluated: ${analysis.firewall.reason})`;
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
    commands: [nsenterCommand(a, `ip route get ${target}`), ...firewallCommands],
  };
}

function portFinding(port: PortResult, a: FoundContainer, b: FoundContainer, analysis: Analysis): Finding {
  const { cause, summary, commands } = portCause(port, a, b, analysis);
  return finding('pair.tcp_port_closed', {
    subject: pairSubject(a, b),
    title: `${b.container.name}:${port.port} cannot be reached from ${a.container.name}: ${cause}`,
    evidence: port.evidence,
    fix: { summary, commands },
  });
}

function nothingListens(a: FoundContainer, b: FoundContainer, analysis: Analysis): Finding {
  return finding('pair.tcp_port_closed', {
    subject: pairSubject(a, b),
    title: `nothing listens on any TCP port in ${b.container.name}`,
    evidence: analysis.listeningEvidence ? [analysis.listeningEvidence] : [],
    fix: {
      summary: `Start the service in ${b.container.name}, or name the port to probe with --port.`,
      commands: [`${b.cli} logs --tail 20 ${b.container.name}`, nsenterCommand(b, 'ss -l -t -n -p')],
    },
  });
}

function nameCause(resolution: NameResolution, plan: PathPlan): string {
  const network = plan.network;
  if (plan.names === 'no_dns' && network !== undefined) {
    const which = network.isDefault ? `${network.engine === 'docker' ? "docker's" : "podman's"} default network ${network.name}` : `network ${network.name}`;
    return `${which} has no DNS`;
  }
  return resolution.detail;
}

function nameFinding(resolution: NameResolution, a: FoundContainer, b: FoundContainer, plan: PathPlan): Finding {
  const network = plan.network;
  const cli = a.cli;
  const noDns = plan.names === 'no_dns';
  const commands = noDns
    ? [`${cli} network create app`, `${cli} network connect app ${a.container.name}`, `${cli} network connect app ${b.container.name}`]
    : resolution.dnsOutcome === 'nxdomain' && network !== undefined
      ? [`${cli} network disconnect ${network.name} ${b.container.name}`, `${cli} network connect ${network.name} ${b.container.name}`]
      : ['netdoctor'];
  const summary = noDns
    ? `Attach both containers to a user-defined network (here "app"), which has DNS; or connect by address.`
    : resolution.dnsOutcome === 'nxdomain'
      ? `The name server of ${network?.name ?? 'the network'} does not know ${b.container.name}: reconnect ${b.container.name} to the network so that the engine registers its name again.`
      : `The name server of ${network?.name ?? 'the network'} does not answer: run netdoctor for the host-wide diagnosis of the DNS servers (aardvark-dns, dnsname's dnsmasq, docker's embedded DNS).`;
  return finding('pair.name_not_resolvable', {
    subject: network ? { ...pairSubject(a, b), network: network.name } : pairSubject(a, b),
    title: `${a.container.name} cannot resolve ${resolution.name}: ${nameCause(resolution, plan)}`,
    evidence: resolution.evidence,
    fix: { summary, commands },
  });
}

/** Ping and TCP disagree: either B ignores echo requests, a rule drops ICMP only, or (the reverse) TCP only. */
function icmpFinding(icmp: IcmpResult, a: FoundContainer, b: FoundContainer, analysis: Analysis, droppedPort: PortResult | undefined): Finding {
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
        commands: [nsenterCommand(b, 'sysctl -w net.ipv4.icmp_echo_ignore_all=0')],
      },
    });
  }
  return finding('pair.icmp_blocked', {
    subject,
    title,
    ...(ignore === undefined ? {} : { detail: `${b.container.name} does answer echo requests (icmp_echo_ignore_all = ${ignore.value}): a rule on the way drops ICMP.` }),
    evidence: ignore === undefined ? evidence : [...evidence, ignore.evidence],
    fix: {
      summary: 'Find the rule that drops ICMP echo between the two in these listings and accept ICMP before it, or test with TCP.',
      commands: ['iptables -S FORWARD', 'nft list ruleset'],
    },
  });
}

function reachableFinding(a: FoundContainer, b: FoundContainer, analysis: Analysis, evidence: Evidence[]): Finding {
  return finding('pair.reachable', {
    subject: pairSubject(a, b),
    title: `${b.container.name} is reachable from ${a.container.name}: ${reachSummary(analysis)}`,
    evidence,
    fix: { commands: [] },
  });
}

function reachSummary(analysis: Analysis): string {
  const plan = analysis.plan!;
  const ports = analysis.ports.map((port) => port.port);
  const where = plan.kind === 'shared-network' && plan.network ? ` on network ${plan.network.name}` : plan.kind === 'shared-namespace' ? ' (one network namespace)' : '';
  const portText = `${plural(ports.length, 'port', 'ports')} ${ports.join(', ')} ${plural(ports.length, 'accepts', 'accept')} connections at ${plan.target}${where}`;
  const name = analysis.name?.outcome === 'resolved' ? `, and the name ${analysis.name.name} resolves to ${analysis.name.addresses.join(', ')}` : '';
  return `${portText}${name}`;
}

function undecided(a: string, b: string, reason: string): Verdict {
  return { outcome: 'undecided', sentence: `netdoctor cannot tell whether ${a} reaches ${b}: ${reason}`, findings: [] };
}

function whyNotFound(location: Location): string | undefined {
  if (location.kind === 'missing') return location.reason;
  if (location.kind === 'ambiguous') {
    const where = location.candidates.map((candidate) => `${ownerOf(candidate)} (${candidate.container.id.slice(0, 12)})`).join(' and ');
    return `${location.reference} names a container in ${where}: write docker:${location.reference} or podman:${location.reference}, or use an id`;
  }
  return undefined;
}

/** Draws the findings and the one-sentence verdict from the analysis, first broken link first. */
export function decide(analysis: Analysis): Verdict {
  const { a, b, context } = analysis;
  const aName = label(a);
  const bName = label(b);
  const findings: Finding[] = [];
  const stopped = [a, b].filter((location): location is FoundContainer => location.kind === 'found' && !location.container.running);
  findings.push(...stopped.map(notRunning));
  if (stopped.length > 0) {
    const who = stopped.length === 2 ? `neither ${aName} nor ${bName} is running` : `${label(stopped[0]!)} is not running (${stopped[0]!.container.state})`;
    return { outcome: 'unreachable', sentence: `${aName} cannot reach ${bName}: ${who}`, findings };
  }
  const missing = whyNotFound(a) ?? whyNotFound(b);
  if (a.kind !== 'found') {
    // Without A netdoctor has no namespace to probe from; a foreign A still decides "different engines" against a found B.
    if (a.kind === 'foreign' && b.kind === 'found') {
      const finding = differentEngines(b, a, context);
      return { outcome: 'unreachable', sentence: `${aName} cannot reach ${bName}: ${aName} is ${describeLocation(a, context)} and ${bName} ${describeLocation(b, context)}; their networks never meet`, findings: [finding] };
    }
    const asOwner = a.kind === 'foreign' && a.uid !== 0 ? `: run netdoctor why as ${a.user}` : '';
    return undecided(aName, bName, missing ?? `${aName} is ${describeLocation(a, context)}, which netdoctor cannot inspect as ${context.user}${asOwner}`);
  }
  if (b.kind !== 'found') {
    if (b.kind === 'foreign') {
      return {
        outcome: 'unreachable',
        sentence: `${aName} cannot reach ${bName}: ${aName} is ${describeLocation(a, context)} and ${bName} ${describeLocation(b, context)}; their networks never meet`,
        findings: [differentEngines(a, b, context)],
      };
    }
    return undecided(aName, bName, missing!);
  }

  const plan = analysis.plan!;
  const open = analysis.ports.filter((port) => port.outcome === 'open');
  const closed = analysis.ports.filter((port) => port.outcome !== 'open' && port.outcome !== 'error');
  const byAddressOnly = open.length > 0 && closed.length === 0 ? `${aName} reaches ${bName} only by address (${plan.target}:${open.map((port) => port.port).join(',')}, ${plan.kind === 'routed' ? 'routed' : 'through the host'})` : undefined;

  if (!plan.sameOwner) {
    findings.push(differentEngines(a, b, context));
    const owners = `${aName} is ${describeLocation(a, context)} and ${bName} ${describeLocation(b, context)}`;
    const sentence = byAddressOnly ? `${byAddressOnly}: ${owners}, whose networks never meet, so ${bName}'s name never resolves from ${aName}` : `${aName} cannot reach ${bName}: ${owners}; their networks never meet`;
    return { outcome: 'unreachable', sentence, findings };
  }
  if (plan.kind === 'routed' || plan.kind === 'none') {
    findings.push(noSharedNetwork(a, b, analysis));
    const networks = `they share no network (${aName} is on ${networkNames(a.container)}, ${bName} on ${networkNames(b.container)})`;
    const sentence = byAddressOnly ? `${byAddressOnly}: ${networks}, so ${bName}'s name does not resolve from ${aName}` : `${aName} cannot reach ${bName}: ${networks}`;
    return { outcome: 'unreachable', sentence, findings };
  }

  if (analysis.probesBlocked !== undefined) return undecided(aName, bName, analysis.probesBlocked);

  const sentences: string[] = [];
  if (analysis.ports.length === 0 && analysis.portsFrom === 'listening' && analysis.listeningUnknown === undefined) {
    const finding = nothingListens(a, b, analysis);
    findings.push(finding);
    sentences.push(`${aName} cannot reach ${bName}: ${finding.title}`);
  }
  for (const port of closed) {
    findings.push(portFinding(port, a, b, analysis));
    if (sentences.length === 0) {
      const more = closed.length > 1 ? ` (and ${closed.length - 1} more ${plural(closed.length - 1, 'port', 'ports')})` : '';
      sentences.push(`${aName} cannot reach ${bName} on port ${port.port}: ${portCause(port, a, b, analysis).cause}${more}`);
    }
  }
  const resolution = analysis.name;
  if (resolution?.outcome === 'unresolved') {
    findings.push(nameFinding(resolution, a, b, plan));
    if (sentences.length === 0) {
      const reached = open.length > 0 ? `${aName} reaches ${bName} at ${plan.target} but cannot resolve its name` : `${aName} cannot resolve ${bName}'s name`;
      sentences.push(`${reached}: ${nameCause(resolution, plan)}`);
    }
  }
  const icmp = analysis.icmp;
  const droppedPort = closed.find((port) => port.listen?.state === 'reachable' && (port.outcome === 'timeout' || port.outcome === 'unreachable'));
  if (icmp?.outcome === 'no_reply' && open.length > 0) findings.push(icmpFinding(icmp, a, b, analysis, undefined));
  if (icmp?.outcome === 'reply' && droppedPort !== undefined) findings.push(icmpFinding(icmp, a, b, analysis, droppedPort));

  if (sentences.length > 0) return { outcome: 'unreachable', sentence: sentences[0]!, findings };

  const unknown = [
    ...analysis.ports.filter((port) => port.outcome === 'error').map((port) => `the connection to port ${port.port} could not be tried (${port.detail})`),
    analysis.ports.length === 0 && analysis.listeningUnknown !== undefined ? `no port to probe: ${analysis.listeningUnknown}; name one with --port` : undefined,
    resolution?.outcome === 'unknown' ? `the name ${resolution.name} could not be looked up (${resolution.detail})` : undefined,
  ].filter((text): text is string => text !== undefined);
  if (unknown.length > 0) return { ...undecided(aName, bName, unknown.join('; ')), findings };

  const icmpNote = icmp?.outcome === 'no_reply' ? '; ping gets no answer, but TCP does' : '';
  if (findings.length === 0) {
    const evidence = [...analysis.ports.flatMap((port) => port.evidence), ...(resolution?.evidence ?? []), ...(icmp?.evidence ?? [])];
    findings.push(reachableFinding(a, b, analysis, evidence));
  }
  return { outcome: 'reachable', sentence: `${aName} can reach ${bName}: ${reachSummary(analysis)}${icmpNote}`, findings };
}
