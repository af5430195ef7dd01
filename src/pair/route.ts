/**
 * `netdoctor why A B` when one end is not a container: from a container or a named namespace (A) to a named
 * namespace, a service of the host (host[:PORT]) or an address (ADDRESS[:PORT]). The way is read link by link
 * in the order a packet meets them (A's veth, A's route, its gateway, B's veth and route back, the host's
 * forwarding, its firewall, its NAT), each from the same facts the host checks read, then probed from inside A's
 * namespace. Each link names the host finding that reports it when broken, and the commands that repair it.
 */
import type { Facts } from '../core/facts.js';
import { answeringNotRecorded, type Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { Evidence } from '../core/types.js';
import type { FirewallEvaluation, LinkStatus, PathKind, PathLink } from '../core/pair.js';
import { commandEvidence, failureReason } from '../facts/docker.js';
import { masqueradeExpectation } from '../facts/engine-rules.js';
import { describeLookup, findExecutable, interfaceSysctl, sysctl, systemSearchPath } from '../facts/files.js';
import { bridgeNfCallIptables, firewallModel } from '../facts/firewall.js';
import { asArray, asRecord, asString, parseEngineJson } from '../facts/model.js';
import {
  defaultRouteOf,
  handmadeNetworks,
  inNamespace,
  inSubnet,
  interfaceEvidence,
  ipv4Addresses,
  isPrivateIpv4,
  routesEvidence,
  subnetOf,
  type HandmadeNetworks,
  type HandmadeSegment,
  type NetworkView,
  type SegmentMember,
} from '../facts/netns.js';
import { bothFlavoursInUse, deciderEvidence } from '../check-support/firewall.js';
import { acceptCommand } from '../netfilter/fixes.js';
import { describeDecider, dropOwner, type DropOwner } from '../netfilter/owners.js';
import {
  bridgeToBridgePath,
  evaluatePath,
  sameBridgePath,
  toHostPath,
  toOutsidePath,
  type Endpoint,
  type TrafficPath,
  type Transport,
} from '../netfilter/paths.js';
import type { FirewallDrop } from './firewall.js';
import type { FoundContainer, Location, NamespaceLocation } from './locate.js';
import type { NetworkLookup } from './path.js';
import { inNetworkNamespace, type Namespace } from './probes.js';
import {
  portsToProbe,
  probeIcmp,
  probePort,
  readListening,
  type IcmpResult,
  type Listening,
  type PortResult,
  type ProbeLog,
} from './probe-run.js';

/** A link of the way, with the host findings that name it when it breaks and the commands that repair it. */
export interface RouteLink extends PathLink {
  findingIds: string[];
  fix: string[];
}

export interface RouteAnalysis {
  kind: PathKind;
  description: string;
  /** The address of B that A's probes aim at. */
  target?: string;
  /** A's address on the way (the source of its route to the target). */
  source?: string;
  /** The hand-made bridge both ends are on. */
  network?: string;
  /** The links before the probes, in the order a packet meets them. */
  links: RouteLink[];
  /** What the way crosses, for the host findings that concern it. */
  crosses: { namespaces: string[]; interfaces: string[] };
  /** Whether the host routes (forwards) the packets: it then needs forwarding, and NAT for the outside. */
  forwarded: boolean;
  /** A's namespace, where the probes run. */
  probeFrom?: Namespace;
  /** Where B's listening sockets are read: its namespace, the host ('host'), or nowhere (an address). */
  listenIn?: Namespace | 'host';
  /** The packet of one probe through the host's firewall, when the way crosses it. */
  firewallPath?: (transport: Transport) => TrafficPath;
}

/** The name of an end in sentences: a container's name, netns:NAME, host:PORT, an address. */
export function endLabel(location: Location): string {
  switch (location.kind) {
    case 'found':
      return location.container.name;
    case 'foreign':
      return location.name;
    case 'namespace':
      return `netns:${location.name}`;
    default:
      return location.reference;
  }
}

function link(
  id: string,
  title: string,
  status: LinkStatus,
  detail: string,
  evidence: Evidence[] = [],
  findingIds: string[] = [],
  fix: string[] = [],
): RouteLink {
  return { id, title, status, detail, evidence, findingIds, fix };
}

interface RouteGet {
  dst: string;
  type: string;
  dev?: string;
  gateway?: string;
  prefsrc?: string;
}

/** `ip route get ADDRESS` in a namespace (undefined: the host's): the route the kernel picks, or why there is none. */
async function routeGet(
  host: Host,
  namespace: Namespace | undefined,
  address: string,
): Promise<{ route?: RouteGet; failure?: string; evidence: Evidence }> {
  const get = ['ip', '-j', 'route', 'get', address];
  const argv =
    namespace === undefined
      ? get
      : 'netns' in namespace
        ? inNamespace(namespace.netns, get)
        : inNetworkNamespace(namespace, get);
  const result = await host.run(argv);
  if (result.exitCode !== 0) {
    const message = result.stderr.trim().replace(/^RTNETLINK answers: /, '') || failureReason(result);
    return { failure: message, evidence: commandEvidence(result, message) };
  }
  try {
    const record = asRecord(asArray(parseEngineJson(result.stdout, shellLine(argv)))[0]);
    const route: RouteGet = { dst: asString(record.dst) ?? address, type: asString(record.type) ?? 'unicast' };
    for (const key of ['dev', 'gateway', 'prefsrc'] as const) {
      const value = asString(record[key]);
      if (value !== undefined) route[key] = value;
    }
    return { route, evidence: commandEvidence(result, describeRouteGet(route)) };
  } catch (error) {
    return { failure: (error as Error).message, evidence: commandEvidence(result) };
  }
}

function describeRouteGet(route: RouteGet): string {
  if (route.type === 'local') return `${route.dst} is an address of this namespace`;
  return `${route.dst}${route.gateway ? ` via ${route.gateway}` : ''}${route.dev ? ` dev ${route.dev}` : ''}${route.prefsrc ? ` src ${route.prefsrc}` : ''}`;
}

/** The segments a hand-made namespace is a member of, with its membership. */
function membership(
  networks: HandmadeNetworks,
  namespace: string,
): { segment: HandmadeSegment; member: SegmentMember }[] {
  return networks.segments.flatMap((segment) =>
    segment.members.filter((member) => member.namespace === namespace).map((member) => ({ segment, member })),
  );
}

function globalAddresses(view: NetworkView): string[] {
  return view.interfaces.flatMap((item) => ipv4Addresses(item).map((address) => address.address));
}

/** The veths of a namespace on the way: both ends up, or the link that is down and the commands that set it up. */
function vethLink(id: string, who: string, places: { segment: HandmadeSegment; member: SegmentMember }[]): RouteLink {
  if (places.length === 0)
    return link(id, `${who}'s veth`, 'broken', `${who} has no veth to the host or to a hand-made bridge`);
  const evidence = places.flatMap(({ member }) => [
    interfaceEvidence(member.inside, member.namespace),
    interfaceEvidence(member.hostEnd),
  ]);
  const down = places.flatMap(({ member }) => [
    ...(member.inside.adminUp
      ? []
      : [{ iface: member.inside.name, namespace: member.namespace as string | undefined }]),
    ...(member.hostEnd.adminUp ? [] : [{ iface: member.hostEnd.name, namespace: undefined }]),
  ]);
  const where = places
    .map(
      ({ segment, member }) =>
        `${member.inside.name} <-> ${member.hostEnd.name}${segment.kind === 'bridge' ? ` on bridge ${segment.host.name}` : ' (the host)'}`,
    )
    .join('; ');
  if (down.length > 0)
    return link(
      id,
      `${who}'s veth`,
      'broken',
      `${down.map((end) => `${end.iface} (${end.namespace === undefined ? 'on the host' : `in ${end.namespace}`})`).join(' and ')} ${down.length === 1 ? 'is' : 'are'} down: ${where}`,
      evidence,
      ['netns.veth_down'],
      down.map((end) =>
        shellLine([
          'ip',
          ...(end.namespace === undefined ? [] : ['-n', end.namespace]),
          'link',
          'set',
          'dev',
          end.iface,
          'up',
        ]),
      ),
    );
  return link(id, `${who}'s veth`, 'ok', `up at both ends: ${where}`, evidence);
}

/** The gateway of a route from a hand-made namespace: an address of the host (or of another namespace) on its link. */
function gatewayLink(
  gateway: string,
  place: { segment: HandmadeSegment; member: SegmentMember } | undefined,
  networks: HandmadeNetworks,
): RouteLink {
  const hostHolder = networks.host.interfaces.find((item) =>
    ipv4Addresses(item).some((address) => address.address === gateway),
  );
  const evidence = place ? [interfaceEvidence(place.segment.host)] : [];
  if (place?.segment.kind === 'bridge' && !place.segment.host.adminUp)
    return link(
      'gateway',
      'gateway',
      'broken',
      `bridge ${place.segment.host.name} is down`,
      evidence,
      ['netns.bridge_no_address'],
      [shellLine(['ip', 'link', 'set', 'dev', place.segment.host.name, 'up'])],
    );
  if (hostHolder !== undefined)
    return link('gateway', 'gateway', 'ok', `${gateway} is the host's address on ${hostHolder.name}`, evidence);
  const router = [...networks.namespaces].find(([, view]) => globalAddresses(view).includes(gateway));
  if (router !== undefined)
    return link('gateway', 'gateway', 'ok', `${gateway} is an address of namespace ${router[0]}`);
  const within = place ? ipv4Addresses(place.member.inside).find((address) => inSubnet(gateway, address)) : undefined;
  const fix =
    place?.segment.kind === 'bridge' && within !== undefined
      ? [shellLine(['ip', 'addr', 'add', `${gateway}/${within.prefix}`, 'dev', place.segment.host.name])]
      : [];
  return link(
    'gateway',
    'gateway',
    'broken',
    `nothing holds ${gateway}: ${
      place
        ? `${place.segment.kind === 'bridge' ? `bridge ${place.segment.host.name}` : `veth ${place.segment.host.name}`} has ${
            ipv4Addresses(place.segment.host)
              .map((address) => `${address.address}/${address.prefix}`)
              .join(', ') || 'no IPv4 address'
          }`
        : 'no interface of the host or of a hand-made namespace has it'
    }`,
    evidence,
    ['netns.bridge_no_address'],
    fix,
  );
}

/** A's route to the target, read in A's namespace. */
function routeLink(
  who: string,
  target: string,
  lookup: Awaited<ReturnType<typeof routeGet>>,
  fix: string[],
  extra: Evidence[],
): RouteLink {
  if (lookup.route !== undefined)
    return link('route', `${who}'s route`, 'ok', describeRouteGet(lookup.route), [lookup.evidence]);
  return link(
    'route',
    `${who}'s route`,
    'broken',
    `${who} has no route to ${target}: ${lookup.failure ?? 'unknown'}`,
    [lookup.evidence, ...extra],
    ['netns.no_route'],
    fix,
  );
}

/** Forwarding on the host: globally and on the interfaces the packet enters and leaves by. */
async function forwardingLink(facts: Facts, interfaces: string[]): Promise<RouteLink> {
  const values = await Promise.all([
    facts.get(sysctl('net.ipv4.ip_forward')),
    ...[...new Set(interfaces)].map((name) => facts.get(interfaceSysctl('ipv4', name, 'forwarding'))),
  ]);
  const evidence = values.flatMap((value) =>
    value.ok ? [{ source: 'file' as const, what: value.value.path, excerpt: value.value.raw }] : [],
  );
  const off = values.flatMap((value) => (value.ok && value.value.raw !== '1' ? [value.value] : []));
  if (off.length > 0)
    return link(
      'forwarding',
      'IPv4 forwarding',
      'broken',
      `the host routes this path, and forwarding is off: ${off.map((value) => `${value.name} = ${value.raw}`).join(', ')}`,
      evidence,
      ['host.ip_forward_disabled'],
      off.map((value) => shellLine(['sysctl', '-w', `${value.name}=1`])),
    );
  const unread = values.flatMap((value) => (value.ok ? [] : [value.reason]));
  if (unread.length > 0) return link('forwarding', 'IPv4 forwarding', 'unknown', unread.join('; '), evidence);
  return link('forwarding', 'IPv4 forwarding', 'ok', 'the host routes this path, and forwarding is on', evidence);
}

/** Which finding names a drop, by who wrote the rule (docker's policy on a bridge docker does not own has its own). */
const DROP_FINDINGS: Record<DropOwner, string[]> = {
  'docker-policy': ['docker.forward_drop_breaks_other_bridges', 'fw.br_netfilter_forward_drop'],
  'docker-user': ['docker.docker_user_drop'],
  'docker-isolation': [],
  'docker-icc': ['docker.icc_disabled'],
  engine: [],
  foreign: ['fw.foreign_forward_drop', 'fw.br_netfilter_forward_drop', 'fw.input_drop_blocks_bridge_dns'],
};

/**
 * The host's firewall on the way, for each probe's transport: the first that is dropped decides. Returns the link,
 * the evaluation for the report, and the drop of a TCP port for the port's finding.
 */
export async function firewallOnRoute(
  facts: Facts,
  route: RouteAnalysis,
  transports: Transport[],
): Promise<{ link: RouteLink; evaluation: FirewallEvaluation; drop?: FirewallDrop }> {
  const build = route.firewallPath;
  if (build === undefined) {
    const reason =
      route.kind === 'none' ? 'there is no way to evaluate' : "the packets do not cross the host's firewall";
    return {
      link: link('firewall', 'firewall', 'not_applicable', reason),
      evaluation: { evaluated: false, reason },
    };
  }
  const [loaded, bridgeNf] = await Promise.all([facts.get(firewallModel), facts.get(bridgeNfCallIptables)]);
  if (!loaded.ok)
    return {
      link: link('firewall', 'firewall', 'unknown', `not evaluated: ${loaded.reason}`),
      evaluation: { evaluated: false, reason: loaded.reason },
    };
  const { model } = loaded;
  const evaluations = transports.map((transport) => {
    const path = build(transport);
    // Same-bridge traffic crosses the IP hooks only with br_netfilter's bridge-nf-call-iptables = 1.
    const steps =
      path.kind === 'same-bridge' && !(bridgeNf.ok && bridgeNf.value)
        ? path.steps.filter((step) => step.layer === 'bridge')
        : path.steps;
    return { transport, evaluation: evaluatePath(model, { ...path, steps }) };
  });
  const dropped = evaluations.find(
    (entry) => entry.evaluation.verdict === 'drop' && entry.evaluation.decidedBy !== null,
  );
  const chosen = dropped ?? evaluations.find((entry) => entry.evaluation.verdict === 'unknown') ?? evaluations[0]!;
  const { evaluation, transport } = chosen;
  const what = transport.protocol === 'icmp' ? 'icmp' : `${transport.protocol} port ${transport.port}`;
  const decidedBy = evaluation.decidedBy === null ? 'no chain on the path' : describeDecider(evaluation.decidedBy);
  const trace = evaluation.steps.map(
    (step) =>
      `${step.packet.layer} ${step.packet.hook}: ${step.verdict} (${step.decidedBy === null ? 'no chain on this hook' : describeDecider(step.decidedBy)})`,
  );
  const report: FirewallEvaluation = { evaluated: true, verdict: `${evaluation.verdict} (${what})`, decidedBy, trace };
  const netfilterEvidence = bridgeNf.ok ? [bridgeNf.evidence] : [];
  if (dropped === undefined) {
    const status: LinkStatus = evaluation.verdict === 'accept' ? 'ok' : 'unknown';
    return {
      link: link(
        'firewall',
        'firewall',
        status,
        `${evaluation.verdict} (${what}): ${evaluation.path.description}, decided by ${decidedBy}`,
        netfilterEvidence,
      ),
      evaluation: report,
    };
  }
  const decider = dropped.evaluation.decidedBy!;
  const path = dropped.evaluation.path;
  const first = path.steps[0]!;
  const last = path.steps.at(-1)!;
  const spec = {
    ...((first.iif ?? first.inBridge) ? { iif: first.iif ?? first.inBridge } : {}),
    ...((last.oif ?? last.outBridge) ? { oif: last.oif ?? last.outBridge } : {}),
    ...(route.source ? { saddr: route.source } : {}),
    ...(route.target ? { daddr: route.target } : {}),
    ...(transport.protocol === 'tcp' ? { protocol: 'tcp' as const, dport: transport.port } : {}),
  };
  const fix = [acceptCommand(decider, spec, bothFlavoursInUse(model))];
  const owner = dropOwner(model, decider);
  const evidence = deciderEvidence(model, decider);
  const drop: FirewallDrop = {
    port: transport.port,
    decider,
    owner,
    description: describeDecider(decider),
    evidence,
    fix,
  };
  return {
    link: link(
      'firewall',
      'firewall',
      'broken',
      `drop (${what}): ${path.description}, dropped by ${describeDecider(decider)}`,
      [...netfilterEvidence, evidence],
      DROP_FINDINGS[owner],
      fix,
    ),
    evaluation: report,
    ...(transport.protocol === 'tcp' ? { drop } : {}),
  };
}

/** NAT for a hand-made namespace's private address on its way out of the host. */
async function natLink(
  facts: Facts,
  from: { address: string; iface: string; label: string; subnet: string },
  outInterface: string | undefined,
): Promise<RouteLink | undefined> {
  if (!isPrivateIpv4(from.address) || outInterface === undefined || outInterface === from.iface) return undefined;
  const loaded = await facts.get(firewallModel);
  if (!loaded.ok) return link('nat', 'masquerading', 'unknown', `not evaluated: ${loaded.reason}`);
  const expectation = masqueradeExpectation(loaded.model, from.iface, from.address, from.label, outInterface);
  const evidence = expectation.lookedAt.map((place) => ({
    source: 'command' as const,
    what: place.source,
    excerpt: place.excerpt,
  }));
  if (expectation.present)
    return link(
      'nat',
      'masquerading',
      'ok',
      `${from.address} is masqueraded when it leaves through ${outInterface}`,
      evidence,
    );
  return link(
    'nat',
    'masquerading',
    'broken',
    `${from.address} leaves through ${outInterface} untranslated: nothing beyond the host routes a private address back (missing: ${expectation.description})`,
    evidence,
    ['netns.no_masquerade'],
    [
      shellLine([
        'iptables',
        '-t',
        'nat',
        '-A',
        'POSTROUTING',
        '-s',
        from.subnet,
        '!',
        '-o',
        from.iface,
        '-j',
        'MASQUERADE',
      ]),
    ],
  );
}

/** B's side of the way when B is a hand-made namespace: its veth, and its route back to A's address. */
async function namespaceBSide(
  facts: Facts,
  b: NamespaceLocation,
  networks: HandmadeNetworks,
  source: string | undefined,
): Promise<RouteLink[]> {
  const places = membership(networks, b.name);
  const links = [vethLink('b-veth', `netns:${b.name}`, places)];
  if (source === undefined) return links;
  const back = await routeGet(facts.host, { netns: b.name }, source);
  if (back.route !== undefined) {
    links.push(link('b-route', `netns:${b.name}'s route back`, 'ok', describeRouteGet(back.route), [back.evidence]));
    return links;
  }
  const place = places.find(({ member }) => defaultRouteOf(member.view) === undefined);
  const gateway = place ? ipv4Addresses(place.segment.host)[0]?.address : undefined;
  links.push(
    link(
      'b-route',
      `netns:${b.name}'s route back`,
      'broken',
      `netns:${b.name} has no route back to ${source}: ${back.failure ?? 'unknown'}`,
      [back.evidence, routesEvidence(b.view, b.name)],
      ['netns.no_route'],
      gateway ? [shellLine(['ip', '-n', b.name, 'route', 'add', 'default', 'via', gateway])] : [],
    ),
  );
  return links;
}

/** The host's way to an address: local (the host itself), or out through an interface. */
async function hostRouteTo(facts: Facts, address: string) {
  return routeGet(facts.host, undefined, address);
}

function endpointOn(address: string, iface: string): Endpoint {
  return { address, bridge: iface };
}

/** A container's end on the host: its address on the network it leaves by, and that network's bridge. */
function containerEnd(
  found: FoundContainer,
  networks: NetworkLookup,
  source: string | undefined,
): { address: string; iface: string; gateway?: string } | undefined {
  const attachments = found.container.networks.filter((attachment) => attachment.ipAddress !== undefined);
  const chosen = attachments.find((attachment) => attachment.ipAddress === source) ?? attachments[0];
  const bridge = chosen ? networks(found.container, chosen.network)?.bridge : undefined;
  if (chosen?.ipAddress === undefined || bridge === undefined) return undefined;
  return chosen.gateway === undefined
    ? { address: chosen.ipAddress, iface: bridge }
    : { address: chosen.ipAddress, iface: bridge, gateway: chosen.gateway };
}

/** The address of a hand-made namespace A aims at: one in a subnet A shares, else its first. */
function namespaceTarget(b: NamespaceLocation, aAddresses: { address: string; prefix: number }[]): string | undefined {
  const candidates = b.view.interfaces.flatMap((item) => ipv4Addresses(item));
  const shared = candidates.find((candidate) =>
    aAddresses.some((mine) =>
      inSubnet(candidate.address, { family: 4, address: mine.address, prefix: mine.prefix, scope: 'global' }),
    ),
  );
  return (shared ?? candidates[0])?.address;
}

function none(description: string, links: RouteLink[] = []): RouteAnalysis {
  return { kind: 'none', description, links, crosses: { namespaces: [], interfaces: [] }, forwarded: false };
}

/**
 * Plans the way from A (a running container, or a hand-made namespace) to B (a hand-made namespace, the host, an
 * address, or a container when A is a namespace) and reads its links, up to the firewall (which waits for the
 * probes' ports).
 */
export async function planRoute(
  facts: Facts,
  a: FoundContainer | NamespaceLocation,
  b: Location,
  networks: NetworkLookup,
): Promise<RouteAnalysis> {
  const read = await facts.get(handmadeNetworks);
  if (!read.ok) return none(`the host's interfaces could not be read: ${read.reason}`);
  const handmade = read.value;
  const who = endLabel(a);
  const aPlaces = a.kind === 'namespace' ? membership(handmade, a.name) : [];
  const aAddresses = a.kind === 'namespace' ? a.view.interfaces.flatMap((item) => ipv4Addresses(item)) : [];
  let from: Namespace;
  if (a.kind === 'namespace') from = { netns: a.name };
  else {
    const { pid, scope } = a.container;
    if (pid === undefined) return none(`${who} has no process id to enter`);
    if (scope === 'rootless')
      return none(
        `${who} is a rootless container: its traffic leaves through slirp4netns or pasta, which netdoctor does not follow to ${endLabel(b)}`,
      );
    from = { pid, scope };
  }

  // Where B is, as an address A can aim at.
  let target: string | undefined;
  let kind: PathKind;
  let hostTarget = false;
  if (b.kind === 'namespace') {
    target = namespaceTarget(b, aAddresses);
    kind = 'routed';
    if (target === undefined) return none(`netns:${b.name} has no IPv4 address`);
  } else if (b.kind === 'found') {
    const end = containerEnd(b, networks, undefined);
    if (b.container.scope === 'rootless' || end === undefined)
      return none(`${b.container.name} has no address on a rootful bridge that the host routes to`);
    target = end.address;
    kind = 'routed';
  } else if (b.kind === 'host') {
    hostTarget = true;
    kind = 'to-host';
    if (a.kind === 'found') target = containerEnd(a, networks, undefined)?.gateway;
    else {
      const gateway = aPlaces
        .map(({ member }) => defaultRouteOf(member.view)?.gateway)
        .find((value) => value !== undefined);
      const hostAddresses = handmade.host.interfaces.flatMap((item) =>
        ipv4Addresses(item).map((address) => address.address),
      );
      target =
        gateway !== undefined && hostAddresses.includes(gateway)
          ? gateway
          : aPlaces.flatMap(({ segment }) => ipv4Addresses(segment.host).map((address) => address.address))[0];
    }
    if (target === undefined)
      return none(
        `the host has no address ${who} can reach it at: ${a.kind === 'found' ? `${who}'s network has no gateway` : `neither ${who}'s default route nor its bridge or veth gives one`}`,
      );
  } else if (b.kind === 'address') {
    target = b.address;
    kind = 'to-address';
  } else return none(`${endLabel(b)} was not found`);

  const hostRoute = hostTarget ? undefined : await hostRouteTo(facts, target);
  if (hostRoute?.route?.type === 'local') {
    hostTarget = true;
    kind = 'to-host';
  }
  const lookup = await routeGet(facts.host, from, target);
  const source =
    lookup.route?.prefsrc ??
    (a.kind === 'found' ? containerEnd(a, networks, undefined)?.address : aAddresses[0]?.address);
  const links: RouteLink[] = [];
  const crosses = { namespaces: [] as string[], interfaces: [] as string[] };
  if (a.kind === 'namespace') crosses.namespaces.push(a.name);
  if (b.kind === 'namespace') crosses.namespaces.push(b.name);

  // A's own end.
  let aIface: string | undefined;
  let aPlace: { segment: HandmadeSegment; member: SegmentMember } | undefined;
  if (a.kind === 'namespace') {
    const onRoute = aPlaces.filter(({ member }) => member.inside.name === lookup.route?.dev);
    aPlace = (onRoute.length > 0 ? onRoute : aPlaces)[0];
    links.push(vethLink('a-veth', who, onRoute.length > 0 ? onRoute : aPlaces));
    aIface = aPlace?.segment.host.name;
    const gateway = aPlaces
      .map(({ segment }) => ipv4Addresses(segment.host)[0]?.address)
      .find((address) => address !== undefined);
    const fix = gateway ? [shellLine(['ip', '-n', a.name, 'route', 'add', 'default', 'via', gateway])] : [];
    links.push(routeLink(who, target, lookup, fix, [routesEvidence(a.view, a.name)]));
    if (lookup.route?.gateway !== undefined) links.push(gatewayLink(lookup.route.gateway, aPlace, handmade));
    for (const { segment, member } of aPlaces)
      crosses.interfaces.push(segment.host.name, member.hostEnd.name, member.inside.name);
  } else {
    const end = containerEnd(a, networks, lookup.route?.prefsrc);
    aIface = end?.iface;
    if (aIface !== undefined) crosses.interfaces.push(aIface);
    links.push(routeLink(who, target, lookup, [], []));
  }

  // Both on one hand-made bridge (or veth): switched there, not routed by the host.
  const inOwnSubnet =
    aPlace !== undefined && ipv4Addresses(aPlace.member.inside).some((address) => inSubnet(target!, address));
  const onLink = !hostTarget && (lookup.route !== undefined ? lookup.route.gateway === undefined : inOwnSubnet);
  let bIface: string | undefined;
  if (b.kind === 'namespace') {
    const bPlaces = membership(handmade, b.name);
    const shared = bPlaces.find(({ segment }) => segment === aPlace?.segment);
    bIface = (shared ?? bPlaces[0])?.segment.host.name;
    for (const { segment, member } of bPlaces)
      crosses.interfaces.push(segment.host.name, member.hostEnd.name, member.inside.name);
    links.push(...(await namespaceBSide(facts, b, handmade, source)));
    if (shared !== undefined && onLink) kind = 'shared-network';
  } else if (b.kind === 'found') {
    bIface = containerEnd(b, networks, undefined)?.iface;
    if (bIface !== undefined) crosses.interfaces.push(bIface);
  } else if (b.kind === 'address' && onLink) {
    kind = 'shared-network';
  }

  const outInterface = hostTarget ? undefined : (bIface ?? hostRoute?.route?.dev);
  if (hostRoute !== undefined && b.kind === 'address')
    links.push(
      link(
        'host-route',
        "the host's route",
        hostRoute.route ? 'ok' : 'broken',
        hostRoute.route
          ? describeRouteGet(hostRoute.route)
          : `the host has no route to ${target}: ${hostRoute.failure ?? 'unknown'}`,
        [hostRoute.evidence],
      ),
    );
  const forwarded = !hostTarget && kind !== 'shared-network';
  if (forwarded && aIface !== undefined)
    links.push(await forwardingLink(facts, [aIface, ...(outInterface ? [outInterface] : [])]));
  if (kind === 'to-address' && a.kind === 'namespace' && source !== undefined && aIface !== undefined) {
    const within = aAddresses.find((address) => address.address === source);
    const subnet = within === undefined ? `${source}/32` : subnetOf(within);
    const nat = await natLink(
      facts,
      { address: source, iface: aIface, label: `namespace ${a.name}`, subnet },
      outInterface,
    );
    if (nat) links.push(nat);
  }

  const analysis: RouteAnalysis = {
    kind,
    description: describeWay(kind, who, endLabel(b), target, aPlace?.segment.host.name),
    target,
    links,
    crosses,
    forwarded,
    probeFrom: from,
  };
  if (source !== undefined) analysis.source = source;
  if (kind === 'shared-network' && aPlace !== undefined) analysis.network = aPlace.segment.host.name;
  if (b.kind === 'namespace') analysis.listenIn = { netns: b.name };
  else if (b.kind === 'found' && b.container.pid !== undefined)
    analysis.listenIn = { pid: b.container.pid, scope: b.container.scope };
  else if (hostTarget) analysis.listenIn = 'host';
  if (source !== undefined && aIface !== undefined) {
    const start = endpointOn(source, aIface);
    const destination = target;
    if (kind === 'shared-network')
      analysis.firewallPath = (transport) => sameBridgePath(start, endpointOn(destination, aIface!), true, transport);
    else if (hostTarget) analysis.firewallPath = (transport) => toHostPath(start, destination, transport);
    else if (bIface !== undefined)
      analysis.firewallPath = (transport) => bridgeToBridgePath(start, endpointOn(destination, bIface!), transport);
    else if (outInterface !== undefined)
      analysis.firewallPath = (transport) => toOutsidePath(start, outInterface, transport, destination);
  }
  return analysis;
}

function describeWay(kind: PathKind, a: string, b: string, target: string, bridge: string | undefined): string {
  switch (kind) {
    case 'shared-network':
      return `${a} and ${b} are on one link${bridge ? ` (bridge ${bridge})` : ''}: ${target} is on-link`;
    case 'to-host':
      return `${b} is the host's service, reached from ${a} at ${target}`;
    case 'to-address':
      return `${a} reaches ${target} through its routes and the host's`;
    default:
      return `the host routes between ${a} and ${b} (${target})`;
  }
}

export function brokenRouteLinks(route: RouteAnalysis): RouteLink[] {
  return route.links.filter((item) => item.status === 'broken');
}

export interface RouteProbing {
  ports: PortResult[];
  portsFrom: 'option' | 'listening';
  icmp?: IcmpResult;
  listeningUnknown?: string;
  listeningEvidence?: Evidence;
  firewall: FirewallEvaluation;
  firewallDrop?: FirewallDrop;
  probesBlocked?: string;
}

/**
 * Probes B from inside A's namespace: ping, and a TCP connection to each port (host:PORT, ADDRESS:PORT, --port, or
 * the ports a namespace or container B listens on); the firewall is evaluated for the same packets and its link
 * placed before the host's NAT.
 */
export async function probeRoute(
  facts: Facts,
  route: RouteAnalysis,
  b: Location,
  requested: number[],
  log: ProbeLog,
): Promise<RouteProbing> {
  const host = answeringNotRecorded(facts.host);
  const named = b.kind === 'host' || b.kind === 'address' ? b.port : undefined;
  const given = [...new Set([...(named === undefined ? [] : [named]), ...requested])];
  const portsFrom = given.length > 0 ? 'option' : 'listening';
  const blocked = (reason: string): RouteProbing => ({
    ports: [],
    portsFrom,
    probesBlocked: reason,
    firewall: { evaluated: false, reason: 'no probe ran on this path' },
  });
  if (route.target === undefined || route.probeFrom === undefined) return blocked(route.description);
  const lookup = await findExecutable(host, 'busybox', systemSearchPath(host.context));
  if (!lookup.found?.executable)
    return blocked(`the probes run busybox from the host, and there is none (${describeLookup(lookup)})`);
  const busybox = lookup.found.path;
  const target = route.target;
  const from = route.probeFrom;
  const listening: Listening =
    route.listenIn === undefined
      ? {}
      : await readListening(
          host,
          route.listenIn === 'host' ? undefined : route.listenIn,
          route.listenIn === 'host' ? 'the host' : endLabel(b),
          log,
        );
  // The host's own listening ports are not all probed: only the port asked for.
  const ports = route.listenIn === 'host' || route.listenIn === undefined ? given : portsToProbe(given, listening);
  const transports: Transport[] =
    ports.length > 0 ? ports.map((port) => ({ protocol: 'tcp', port })) : [{ protocol: 'icmp', port: 0 }];
  const [results, icmp, firewall] = await Promise.all([
    Promise.all(ports.map((port) => probePort(host, from, busybox, target, port, listening, log))),
    probeIcmp(host, from, busybox, target, log),
    firewallOnRoute(facts, route, transports),
  ]);
  const nat = route.links.findIndex((item) => item.id === 'nat');
  route.links.splice(nat < 0 ? route.links.length : nat, 0, firewall.link);
  const probing: RouteProbing = { ports: results, portsFrom, icmp, firewall: firewall.evaluation };
  if (firewall.drop !== undefined) probing.firewallDrop = firewall.drop;
  if (listening.unknown !== undefined) probing.listeningUnknown = listening.unknown;
  if (listening.evidence !== undefined) probing.listeningEvidence = listening.evidence;
  return probing;
}

/** Every finding a link of a way can name: one of these is on the way only when the way has that link. */
export const ROUTE_LINK_FINDINGS: ReadonlySet<string> = new Set([
  'netns.veth_down',
  'netns.no_route',
  'netns.bridge_no_address',
  'netns.no_masquerade',
  'host.ip_forward_disabled',
  ...Object.values(DROP_FINDINGS).flat(),
]);
