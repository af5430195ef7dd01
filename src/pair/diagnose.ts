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
import { answeringNotRecorded, type Host } from '../core/host.js';
import type { CheckResult, Evidence, Finding } from '../core/types.js';
import type { Check } from '../core/check.js';
import { evaluateFirewall } from './firewall.js';
import { buildLinks, type HostPathSettings } from './links.js';
import { classifyReference, locateEndpoint, type FoundContainer, type Location } from './locate.js';
import { ROUTE_LINK_FINDINGS, planRoute, probeRoute, type RouteAnalysis } from './route.js';
import { UsageError } from '../core/errors.js';
import { endpointOf, planPath, type NetworkLookup, type PathPlan } from './path.js';
import {
  PROBE_RUN_TIMEOUT_MS,
  hostsAddress,
  inNetworkNamespace,
  interpretLookup,
  lookupArgv,
  type ContainerNamespace,
} from './probes.js';
import type { FirewallEvaluation, PairEndpoint, PairSection, ProbeRecord } from '../core/pair.js';
import {
  logProbe,
  portsToProbe,
  probeIcmp,
  probePort,
  readListening,
  type Listening,
  type ProbeLog,
} from './probe-run.js';
import type { Analysis, NameResolution } from './analysis.js';
import type { Verdict } from './verdict.js';
import { ipv4Addresses } from '../facts/netns.js';

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

function namespaceOf(location: FoundContainer): ContainerNamespace | undefined {
  const { pid, scope } = location.container;
  return pid === undefined ? undefined : { pid, scope };
}

function readContainerListening(host: Host, b: FoundContainer, log: ProbeLog): Promise<Listening> {
  const namespace = namespaceOf(b);
  if (namespace === undefined) return Promise.resolve({ unknown: `${b.container.name} has no process id` });
  return readListening(host, namespace, b.container.name, log);
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
  const probingPorts = readContainerListening(host, b, log).then(async (listening) => {
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
  /^(?!fw\.ufw_)(fw|docker|aardvark|cni|netns)\.|^(host\.ip_forward_disabled|dns\.default_network_no_dns|dns\.port53_taken_for_(aardvark|dnsname))$/;

/** The checks of hand-made networks: only a way to a namespace, the host or an address can cross those. */
const HANDMADE_CHECK = /^(netns\.|host\.handmade-forward$|docker\.forward-drop-other-bridges$)/;

/** Whether an end of the request is a named namespace, the host or an address (not a container). */
export function isRouteRequest(request: Pick<WhyRequest, 'a' | 'b'>): boolean {
  return [request.a, request.b].some((reference) => classifyReference(reference).kind !== 'container');
}

/**
 * The host checks worth running beside the probes: those that can report a finding on a path; those of hand-made
 * networks only when an end is not a container.
 */
export function pathChecks(checks: readonly Check[], route = false): Check[] {
  return checks.filter(
    (check) =>
      Object.keys(check.findings).some((id) => PATH_FINDING.test(id)) && (route || !HANDMADE_CHECK.test(check.id)),
  );
}

/** The subject and kind of findings of the host checks that concern this path. */
interface PathScope {
  containers: Set<string>;
  networks: { engine: string; name: string; bridge?: string }[];
  engines: string[];
  plan?: PathPlan;
  /** The way to a namespace, the host or an address. */
  route?: RouteAnalysis;
}

/**
 * A host check's finding is on the path when it names A or B, a network or bridge the path crosses, or the
 * engine of A or B; host-wide findings only when the path crosses what they break (forwarding when routed,
 * the firewall when it passes the host's netfilter).
 */
export function onPath(item: Finding, scope: PathScope): boolean {
  const { subject } = item;
  if (scope.route !== undefined) return onRoute(item, scope, scope.route);
  if (item.id === 'host.ip_forward_disabled' && scope.plan?.kind !== 'routed') return false;
  if (subject.containers !== undefined && subject.containers.length > 0)
    return subject.containers.some((name) => scope.containers.has(name));
  if (subject.network !== undefined)
    return scope.networks.some((network) => network.engine === subject.engine && network.name === subject.network);
  if (subject.interface !== undefined) return scope.networks.some((network) => network.bridge === subject.interface);
  if (subject.engine !== undefined) return scope.engines.includes(subject.engine);
  return scope.plan !== undefined && scope.plan.kind !== 'shared-namespace' && scope.plan.kind !== 'none';
}

/**
 * On a way to a namespace, the host or an address: findings that name a namespace, bridge or veth it crosses, or A
 * or B; host-wide ones when the host forwards the packets.
 */
function onRoute(item: Finding, scope: PathScope, route: RouteAnalysis): boolean {
  const { subject } = item;
  if (ROUTE_LINK_FINDINGS.has(item.id) && !route.links.some((entry) => entry.findingIds.includes(item.id)))
    return false;
  if (subject.namespaces !== undefined && subject.namespaces.length > 0)
    return subject.namespaces.some((name) => route.crosses.namespaces.includes(name));
  if (subject.containers !== undefined && subject.containers.length > 0)
    return subject.containers.some((name) => scope.containers.has(name));
  if (subject.interface !== undefined)
    return subject.interface
      .split(/,\s*/)
      .some(
        (name) => route.crosses.interfaces.includes(name) || scope.networks.some((network) => network.bridge === name),
      );
  if (subject.network !== undefined)
    return scope.networks.some((network) => network.engine === subject.engine && network.name === subject.network);
  if (subject.engine !== undefined) return scope.engines.includes(subject.engine);
  return route.forwarded || route.kind === 'to-host';
}

function pathScope(
  a: Location,
  b: Location,
  plan: PathPlan | undefined,
  networks: NetworkLookup,
  route: RouteAnalysis | undefined,
): PathScope {
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
  if (route !== undefined) scope.route = route;
  return scope;
}

function endpoint(location: Location, networks: NetworkLookup, route: RouteAnalysis | undefined): PairEndpoint {
  if (location.kind === 'found') return { ...endpointOf(location, networks), kind: 'container' };
  if (location.kind === 'namespace')
    return {
      reference: location.reference,
      kind: 'namespace',
      found: true,
      name: `netns:${location.name}`,
      networks: location.view.interfaces.flatMap((item) =>
        ipv4Addresses(item).map((address) => ({ name: item.name, address: `${address.address}/${address.prefix}` })),
      ),
    };
  if (location.kind === 'host' || location.kind === 'address') {
    const end: PairEndpoint = { reference: location.reference, kind: location.kind, found: true, networks: [] };
    const address = location.kind === 'address' ? location.address : route?.target;
    if (address !== undefined) end.address = address;
    if (location.port !== undefined) end.port = location.port;
    return end;
  }
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
  const [a, b] = await Promise.all([locateEndpoint(facts, request.a), locateEndpoint(facts, request.b)]);
  if (a.kind === 'host' || a.kind === 'address')
    throw new UsageError(
      `A must be a container or netns:NAME: the probes run from inside A's network namespace (got ${request.a})`,
    );
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
  const routed = [a, b].some(
    (location) => location.kind === 'namespace' || location.kind === 'host' || location.kind === 'address',
  );
  const aReady = a.kind === 'namespace' || (a.kind === 'found' && a.container.running);
  const bReady = b.kind !== 'found' || b.container.running;
  if (routed && aReady && bReady && (a.kind === 'found' || a.kind === 'namespace')) {
    const route = await planRoute(facts, a, b, networks);
    analysis.route = route;
    Object.assign(analysis, await probeRoute(facts, route, b, request.ports, probes));
  }
  const settings = await hostSettings(facts, analysis.plan, a, b);
  return { analysis, networks, probes, settings };
}

/** The host checks' findings that concern this path, and only those. */
export function hostFindingsOnPath(probing: PairProbing, results: readonly CheckResult[]): CheckResult[] {
  const { analysis, networks } = probing;
  const scope = pathScope(analysis.a, analysis.b, analysis.plan, networks, analysis.route);
  return results
    .map((result) => ({ ...result, findings: result.findings.filter((item) => onPath(item, scope)) }))
    .filter((result) => result.findings.length > 0)
    .map((result) => ({ ...result, status: statusOf(result.findings) }));
}

/** The report's `pair` section: where A and B live, the path, the evidence link by link, and the verdict. */
export function pairSection(
  probing: PairProbing,
  request: WhyRequest,
  verdict: Verdict,
  pairResults: readonly CheckResult[],
): PairSection {
  const { analysis, networks, probes, settings } = probing;
  const { plan, route } = analysis;
  const pair: PairSection = {
    a: endpoint(analysis.a, networks, route),
    b: endpoint(analysis.b, networks, route),
    verdict: { outcome: verdict.outcome, sentence: verdict.sentence },
    path: {
      kind: route?.kind ?? plan?.kind ?? 'none',
      description: route?.description ?? plan?.description ?? 'not planned: an end was not found or does not run',
      ports: analysis.ports.map((port) => port.port),
      portsFrom:
        analysis.ports.length === 0
          ? 'none'
          : request.ports.length > 0 || (route !== undefined && analysis.portsFrom === 'option')
            ? 'option'
            : 'listening',
    },
    links: buildLinks(analysis, settings),
    probes,
    firewall: analysis.firewall,
    // The fix of the first broken link: other findings' fixes are alternatives or later steps, listed with them.
    fix: verdict.fix ?? pairResults.flatMap((result) => result.findings)[0]?.fix.commands ?? [],
  };
  const target = route?.target ?? plan?.target;
  const network = route?.network ?? plan?.network?.name;
  if (target !== undefined) pair.path.target = target;
  if (network !== undefined) pair.path.network = network;
  return pair;
}
