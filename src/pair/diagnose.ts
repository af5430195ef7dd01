import { commandEvidence, dockerNetworks } from '../facts/docker.js';
import type { Facts } from '../core/facts.js';
import { bridgeNfCallIptables } from '../facts/firewall.js';
import { describeLookup, findExecutable, interfaceSysctl, sysctl, systemSearchPath } from '../facts/files.js';
import type { Container, ContainerNetwork } from '../facts/model.js';
import { podmanNetworks } from '../facts/podman.js';
import { containerNetnsSysctl } from '../facts/processes.js';
import { resolvConfFile } from '../facts/resolv.js';
import { fileEvidence } from '../core/finding.js';
import { statusOf } from '../core/outcome.js';
import { answeringNotRecorded, type CommandResult, type Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { CheckResult, Evidence, Finding } from '../core/types.js';
import type { Check } from '../core/check.js';
import { evaluateFirewall } from './firewall.js';
import { buildLinks, type HostPathSettings } from './links.js';
import { locate, type FoundContainer, type Location } from './locate.js';
import { endpointOf, planPath, type NetworkLookup, type PathPlan } from './path.js';
import {
  LISTENING_ARGV,
  PROBE_RUN_TIMEOUT_MS,
  connectArgv,
  hostsAddress,
  inNetworkNamespace,
  interpretConnect,
  interpretLookup,
  interpretPing,
  isEngineSocket,
  listenState,
  lookupArgv,
  parseListening,
  pingArgv,
  probeFailure,
  type ListeningSocket,
  type Namespace,
} from './probes.js';
import type { FirewallEvaluation, PairEndpoint, PairSection, ProbeKind, ProbeRecord } from '../core/pair.js';
import type { Analysis, IcmpResult, NameResolution, PortResult } from './analysis.js';

export interface WhyRequest {
  a: string;
  b: string;
  /** Ports given with --port; empty: B's listening ports. */
  ports: number[];
}

/** What `why` learned by locating, planning and probing, before any check looks at it. */
export interface PairProbing {
  analysis: Analysis;
  networks: NetworkLookup;
  /** Every probe that ran, in the order they finished. */
  probes: ProbeRecord[];
  settings: HostPathSettings;
}

/** More listening ports than this are not all probed: the command must stay under 5 s. */
const MAX_PROBED_PORTS = 8;

const PROBES_DID_NOT_RUN: FirewallEvaluation = {
  evaluated: false,
  reason: 'no probe ran on this path, so there is no port to evaluate',
};

function networkLookup(docker: ContainerNetwork[], podman: ContainerNetwork[]): NetworkLookup {
  return (container: Container, name: string) =>
    (container.engine === 'docker' ? docker : podman).find(
      (network) => network.name === name && network.scope === container.scope,
    );
}

async function listNetworks(facts: Facts, locations: Location[]): Promise<NetworkLookup> {
  const engines = new Set(
    locations.flatMap((location) => (location.kind === 'found' ? [location.container.engine] : [])),
  );
  const [docker, podman] = await Promise.all([
    engines.has('docker') ? facts.get(dockerNetworks) : undefined,
    engines.has('podman') ? facts.get(podmanNetworks) : undefined,
  ]);
  return networkLookup(docker?.ok ? docker.items : [], podman?.ok ? podman.items : []);
}

function namespaceOf(location: FoundContainer): Namespace | undefined {
  const { pid, scope } = location.container;
  return pid === undefined ? undefined : { pid, scope };
}

/** Every probe that ran, in the order they finished, for the report's `pair.probes`. */
type ProbeLog = ProbeRecord[];

function logProbe(
  log: ProbeLog,
  kind: ProbeKind,
  target: string,
  outcome: string,
  detail: string,
  result: CommandResult,
): void {
  log.push({ kind, target, outcome, detail, command: shellLine(result.argv), durationMs: result.durationMs });
}

interface Listening {
  sockets?: ListeningSocket[];
  unknown?: string;
  evidence?: Evidence;
}

async function readListening(host: Host, b: FoundContainer, log: ProbeLog): Promise<Listening> {
  const namespace = namespaceOf(b);
  if (namespace === undefined) return { unknown: `${b.container.name} has no process id` };
  const result = await host.run(inNetworkNamespace(namespace, LISTENING_ARGV), { timeoutMs: PROBE_RUN_TIMEOUT_MS });
  const failure =
    probeFailure(result) ??
    (result.exitCode !== 0 ? `exit ${result.exitCode ?? 'none'}: ${result.stderr.trim()}` : undefined);
  if (failure !== undefined) {
    logProbe(log, 'listening', b.container.name, 'error', failure, result);
    return {
      unknown: `${b.container.name}'s listening sockets could not be read: ${failure}`,
      evidence: commandEvidence(result),
    };
  }
  const sockets = parseListening(result.stdout);
  const shown = sockets.filter((socket) => !isEngineSocket(socket)).map((socket) => `${socket.address}:${socket.port}`);
  const excerpt =
    shown.length === 0
      ? `nothing listens on TCP in ${b.container.name}`
      : `listening in ${b.container.name}: ${shown.join(', ')}`;
  logProbe(log, 'listening', b.container.name, shown.length === 0 ? 'nothing' : 'listening', excerpt, result);
  return { sockets, evidence: commandEvidence(result, excerpt) };
}

function portsToProbe(requested: number[], listening: Listening): number[] {
  if (requested.length > 0) return requested;
  const ports = (listening.sockets ?? []).filter((socket) => !isEngineSocket(socket)).map((socket) => socket.port);
  return [...new Set(ports)].sort((left, right) => left - right).slice(0, MAX_PROBED_PORTS);
}

async function probePort(
  host: Host,
  from: Namespace,
  busybox: string,
  target: string,
  port: number,
  listening: Listening,
  log: ProbeLog,
): Promise<PortResult> {
  const result = await host.run(inNetworkNamespace(from, connectArgv(busybox, target, port)), {
    timeoutMs: PROBE_RUN_TIMEOUT_MS,
  });
  const { outcome, detail } = interpretConnect(result);
  logProbe(log, 'tcp', `${target}:${port}`, outcome, detail, result);
  const evidence: Evidence[] = [commandEvidence(result, `${outcome}: ${detail}`)];
  const probed: PortResult = { port, outcome, detail, evidence };
  if (listening.sockets !== undefined) {
    probed.listen = listenState(listening.sockets, port, target);
    if (listening.evidence !== undefined) evidence.push(listening.evidence);
  }
  return probed;
}

async function probeIcmp(
  host: Host,
  from: Namespace,
  busybox: string,
  target: string,
  log: ProbeLog,
): Promise<IcmpResult> {
  const result = await host.run(inNetworkNamespace(from, pingArgv(busybox, target)), {
    timeoutMs: PROBE_RUN_TIMEOUT_MS,
  });
  const { outcome, detail } = interpretPing(result);
  logProbe(log, 'icmp', target, outcome, detail, result);
  return { outcome, detail, evidence: [commandEvidence(result, `${outcome}: ${detail}`)] };
}

/** A's view of B's name: /etc/hosts first, as the C library does, then the first name server of A's resolv.conf. */
async function resolveName(
  facts: Facts,
  a: FoundContainer,
  b: FoundContainer,
  plan: PathPlan,
  busybox: string,
  log: ProbeLog,
): Promise<NameResolution | undefined> {
  const namespace = namespaceOf(a);
  if (plan.names === 'not_needed' || plan.names === 'not_served' || namespace === undefined) return undefined;
  const host = answeringNotRecorded(facts.host);
  const name = b.container.name;
  const etc = `/proc/${namespace.pid}/root/etc`;
  const [hosts, resolvConf] = await Promise.all([
    host.readFile(`${etc}/hosts`),
    facts.get(resolvConfFile(`${etc}/resolv.conf`)),
  ]);
  const unresolved = (detail: string, evidence: Evidence[]): NameResolution => ({
    name,
    outcome: 'unresolved',
    via: 'none',
    addresses: [],
    detail,
    evidence,
  });
  if (hosts.ok) {
    const address = hostsAddress(hosts.content, name);
    if (address !== undefined) {
      log.push({
        kind: 'hosts',
        target: name,
        outcome: 'resolved',
        detail: `${address} in /etc/hosts`,
        command: hosts.path,
        durationMs: 0,
      });
      return {
        name,
        outcome: 'resolved',
        via: 'hosts',
        addresses: [address],
        detail: `${name} is ${address} in ${a.container.name}'s /etc/hosts`,
        evidence: [fileEvidence(hosts.path, `${address} ${name}`)],
      };
    }
  }
  if (!resolvConf.ok)
    return { name, outcome: 'unknown', via: 'none', addresses: [], detail: resolvConf.reason, evidence: [] };
  const servers = resolvConf.value.nameservers;
  const resolvEvidence = fileEvidence(resolvConf.value.path, resolvConf.value.excerpt || 'no nameserver line');
  const hostsEvidence = hosts.ok ? [fileEvidence(hosts.path, `no line for ${name}`)] : [];
  const server = servers[0];
  if (server === undefined)
    return unresolved(`${a.container.name}'s resolv.conf lists no name server`, [resolvEvidence, ...hostsEvidence]);
  const containerDns =
    (a.container.engine === 'docker' && server === '127.0.0.11') ||
    a.container.networks.some((attachment) => attachment.gateway === server);
  if (!containerDns) {
    // A resolver outside the container networks knows no container names; asking it would only send B's name off the
    // host.
    return unresolved(
      `${a.container.name} asks ${server}, which is not a container network's DNS server and knows no container names`,
      [resolvEvidence, ...hostsEvidence],
    );
  }
  const result = await host.run(inNetworkNamespace(namespace, lookupArgv(busybox, name, server)), {
    timeoutMs: PROBE_RUN_TIMEOUT_MS,
  });
  const lookup = interpretLookup(result);
  logProbe(log, 'dns', `${name} @${server}`, lookup.outcome, lookup.detail, result);
  const evidence = [resolvEvidence, commandEvidence(result, `${lookup.outcome}: ${lookup.detail}`)];
  if (lookup.outcome === 'resolved')
    return {
      name,
      outcome: 'resolved',
      via: 'dns',
      server,
      dnsOutcome: lookup.outcome,
      addresses: lookup.addresses,
      detail: `${server} ${lookup.detail} for ${name}`,
      evidence,
    };
  if (lookup.outcome === 'error')
    return {
      name,
      outcome: 'unknown',
      via: 'dns',
      server,
      dnsOutcome: lookup.outcome,
      addresses: [],
      detail: lookup.detail,
      evidence,
    };
  return {
    name,
    outcome: 'unresolved',
    via: 'dns',
    server,
    dnsOutcome: lookup.outcome,
    addresses: [],
    detail: `${server} (the network's DNS server): ${lookup.detail}`,
    evidence,
  };
}

type ProbeFindings = Pick<
  Analysis,
  | 'probesBlocked'
  | 'ports'
  | 'listeningUnknown'
  | 'listeningEvidence'
  | 'icmp'
  | 'name'
  | 'firewall'
  | 'firewallDrop'
  | 'echoIgnore'
>;

const ECHO_IGNORE = '/proc/sys/net/ipv4/icmp_echo_ignore_all';

/** When ping gets no answer but TCP connects: does B's kernel ignore echo requests? Read in B's namespace. */
async function readEchoIgnore(facts: Facts, b: FoundContainer): Promise<Analysis['echoIgnore']> {
  const namespace = namespaceOf(b);
  if (namespace === undefined) return undefined;
  const read = await facts.get(containerNetnsSysctl(namespace.pid, namespace.scope, ECHO_IGNORE));
  if (!read.ok) return undefined;
  return {
    value: read.value.raw,
    evidence: { source: 'command', what: read.value.command, excerpt: `icmp_echo_ignore_all = ${read.value.raw}` },
  };
}

/** Probes from A's network namespace, concurrently where they do not depend on each other. */
async function probe(
  facts: Facts,
  a: FoundContainer,
  b: FoundContainer,
  plan: PathPlan,
  requested: number[],
  log: ProbeLog,
): Promise<ProbeFindings> {
  const host = answeringNotRecorded(facts.host);
  const from = namespaceOf(a);
  const target = plan.target;
  const blocked = (reason: string): ProbeFindings => ({
    probesBlocked: reason,
    ports: [],
    firewall: PROBES_DID_NOT_RUN,
  });
  if (from === undefined) return blocked(`${a.container.name} has no process id to enter`);
  if (target === undefined) return blocked(`${b.container.name} has no address on the path`);
  const lookup = await findExecutable(host, 'busybox', systemSearchPath(host.context));
  if (!lookup.found?.executable)
    return blocked(`the probes run busybox from the host, and there is none (${describeLookup(lookup)})`);
  const busybox = lookup.found.path;

  const sameNamespace = plan.kind === 'shared-namespace';
  const probingPorts = readListening(host, b, log).then(async (listening) => {
    const ports = portsToProbe(requested, listening);
    const [results, firewall] = await Promise.all([
      Promise.all(ports.map((port) => probePort(host, from, busybox, target, port, listening, log))),
      evaluateFirewall(facts, plan, ports),
    ]);
    return { listening, ports: results, firewall };
  });
  const [{ listening, ports, firewall }, icmp, name] = await Promise.all([
    probingPorts,
    sameNamespace ? undefined : probeIcmp(host, from, busybox, target, log),
    resolveName(facts, a, b, plan, busybox, log),
  ]);
  const found: ProbeFindings = { ports, firewall: firewall.evaluation };
  if (firewall.drop !== undefined) found.firewallDrop = firewall.drop;
  if (listening.unknown !== undefined) found.listeningUnknown = listening.unknown;
  if (listening.evidence !== undefined) found.listeningEvidence = listening.evidence;
  if (icmp !== undefined) found.icmp = icmp;
  if (icmp?.outcome === 'no_reply' && ports.some((port) => port.outcome === 'open')) {
    const echoIgnore = await readEchoIgnore(facts, b);
    if (echoIgnore !== undefined) found.echoIgnore = echoIgnore;
  }
  if (name !== undefined) found.name = name;
  return found;
}

async function hostSettings(
  facts: Facts,
  plan: PathPlan | undefined,
  a: Location,
  b: Location,
): Promise<HostPathSettings> {
  const rootful = [a, b].every((location) => location.kind === 'found' && location.container.scope === 'rootful');
  if (plan === undefined || !rootful) return { bridgeForwarding: [] };
  const [ipForward, bridgeNetfilter, bridgeForwarding] = await Promise.all([
    facts.get(sysctl('net.ipv4.ip_forward')),
    facts.get(bridgeNfCallIptables),
    Promise.all(
      plan.routedBridges.map(async (bridge) => ({
        bridge,
        value: await facts.get(interfaceSysctl('ipv4', bridge, 'forwarding')),
      })),
    ),
  ]);
  return { ipForward, bridgeNetfilter, bridgeForwarding };
}

/**
 * Host findings that can break the way from one container to another: forwarding, the firewall, DNS servers
 * and docker's own switches. The others concern the outside, the host or rootless publishing.
 */
const PATH_FINDING =
  /^(?!fw\.ufw_)(fw|docker|aardvark|cni)\.|^(host\.ip_forward_disabled|dns\.default_network_no_dns|dns\.port53_taken_for_(aardvark|dnsname))$/;

/** The host checks worth running beside the probes: those that can report a finding on a path. */
export function pathChecks(checks: readonly Check[]): Check[] {
  return checks.filter((check) => Object.keys(check.findings).some((id) => PATH_FINDING.test(id)));
}

/** The subject and kind of findings of the host checks that concern this path. */
interface PathScope {
  containers: Set<string>;
  networks: { engine: string; name: string; bridge?: string }[];
  engines: string[];
  plan?: PathPlan;
}

/**
 * A host check's finding is on the path when it names A or B, a network or bridge the path crosses, or the
 * engine of A or B; host-wide findings only when the path crosses what they break (forwarding when routed,
 * the firewall when it passes the host's netfilter).
 */
export function onPath(item: Finding, scope: PathScope): boolean {
  const { subject } = item;
  if (item.id === 'host.ip_forward_disabled' && scope.plan?.kind !== 'routed') return false;
  if (subject.containers !== undefined && subject.containers.length > 0)
    return subject.containers.some((name) => scope.containers.has(name));
  if (subject.network !== undefined)
    return scope.networks.some((network) => network.engine === subject.engine && network.name === subject.network);
  if (subject.interface !== undefined) return scope.networks.some((network) => network.bridge === subject.interface);
  if (subject.engine !== undefined) return scope.engines.includes(subject.engine);
  return scope.plan !== undefined && scope.plan.kind !== 'shared-namespace' && scope.plan.kind !== 'none';
}

function pathScope(a: Location, b: Location, plan: PathPlan | undefined, networks: NetworkLookup): PathScope {
  const found = [a, b].filter((location): location is FoundContainer => location.kind === 'found');
  const scope: PathScope = {
    containers: new Set(found.map((location) => location.container.name)),
    networks: found.flatMap((location) =>
      location.container.networks.map((attachment) => {
        const bridge = networks(location.container, attachment.network)?.bridge;
        return bridge === undefined
          ? { engine: location.container.engine, name: attachment.network }
          : { engine: location.container.engine, name: attachment.network, bridge };
      }),
    ),
    // An engine that could not be searched matters when a container was not found.
    engines: found.length < 2 ? ['docker', 'podman'] : found.map((location) => location.container.engine),
  };
  if (plan !== undefined) scope.plan = plan;
  return scope;
}

function endpoint(location: Location, networks: NetworkLookup): PairEndpoint {
  if (location.kind === 'found') return endpointOf(location, networks);
  if (location.kind === 'foreign') {
    return {
      reference: location.reference,
      found: false,
      name: location.name,
      id: location.id,
      engine: 'podman',
      user: location.user,
      running: true,
      networks: [],
      note: location.evidence.excerpt,
    };
  }
  const note = location.kind === 'missing' ? location.reason : `${location.reference} names more than one container`;
  return { reference: location.reference, found: false, networks: [], note };
}

/** `netdoctor why A B`, up to the checks: locates both, plans the path and probes it from A's namespace. */
export async function probePair(facts: Facts, request: WhyRequest): Promise<PairProbing> {
  const host = answeringNotRecorded(facts.host);
  const [a, b] = await Promise.all([locate(facts, request.a), locate(facts, request.b)]);
  const networks = await listNetworks(facts, [a, b]);
  const probes: ProbeLog = [];
  const analysis: Analysis = {
    context: host.context,
    a,
    b,
    ports: [],
    portsFrom: request.ports.length > 0 ? 'option' : 'listening',
    firewall: PROBES_DID_NOT_RUN,
  };
  if (a.kind === 'found' && b.kind === 'found') {
    const plan = planPath(a, b, networks);
    analysis.plan = plan;
    const icc =
      plan.network?.engine === 'docker' ? plan.network.options['com.docker.network.bridge.enable_icc'] : undefined;
    if (icc === 'false') {
      analysis.iccOff = {
        source: 'command',
        what: `docker network inspect ${plan.network!.name}`,
        excerpt: 'com.docker.network.bridge.enable_icc=false',
      };
    }
    if (a.container.running && b.container.running && plan.target !== undefined) {
      Object.assign(analysis, await probe(facts, a, b, plan, request.ports, probes));
    }
  }
  const settings = await hostSettings(facts, analysis.plan, a, b);
  return { analysis, networks, probes, settings };
}

/** The host checks' findings that concern this path, and only those. */
export function hostFindingsOnPath(probing: PairProbing, results: readonly CheckResult[]): CheckResult[] {
  const { analysis, networks } = probing;
  const scope = pathScope(analysis.a, analysis.b, analysis.plan, networks);
  return results
    .map((result) => ({ ...result, findings: result.findings.filter((item) => onPath(item, scope)) }))
    .filter((result) => result.findings.length > 0)
    .map((result) => ({ ...result, status: statusOf(result.findings) }));
}

/** The report's `pair` section: where A and B live, the path, the evidence link by link, and the verdict. */
export function pairSection(
  probing: PairProbing,
  request: WhyRequest,
  verdict: PairSection['verdict'],
  pairResults: readonly CheckResult[],
): PairSection {
  const { analysis, networks, probes, settings } = probing;
  const plan = analysis.plan;
  const pair: PairSection = {
    a: endpoint(analysis.a, networks),
    b: endpoint(analysis.b, networks),
    verdict,
    path: {
      kind: plan?.kind ?? 'none',
      description: plan?.description ?? 'not planned: a container was not found',
      ports: analysis.ports.map((port) => port.port),
      portsFrom: request.ports.length > 0 ? 'option' : analysis.ports.length > 0 ? 'listening' : 'none',
    },
    links: buildLinks(analysis, settings),
    probes,
    firewall: analysis.firewall,
    // The fix of the first broken link: other findings' fixes are alternatives or later steps, listed with them.
    fix: pairResults.flatMap((result) => result.findings)[0]?.fix.commands ?? [],
  };
  if (plan?.target !== undefined) pair.path.target = plan.target;
  if (plan?.network !== undefined) pair.path.network = plan.network.name;
  return pair;
}
