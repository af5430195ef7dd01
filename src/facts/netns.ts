/**
 * Named network namespaces (`ip netns`) and the bridges and veth pairs that no container engine owns: the
 * networks people build by hand (the seed's tutorial: `ip netns add`, a veth pair per namespace, a bridge,
 * addresses and routes), and libvirt's or LXC's bridges. Read with `ip -j` only, on the host and in each named
 * namespace (`ip -n NAME` enters it for the command's own process and changes nothing).
 */
import type { Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import { defineFact, type FactDefinition } from '../core/facts.js';
import type { Evidence } from '../core/types.js';
import { failureReason } from './docker.js';
import type { Readable } from './files.js';
import { IP_ROUTES, describeRoute, hostRoutes, parseCidr, parseIpRoutes, type Route } from './ip.js';
import { asArray, asRecord, asString, parseEngineJson } from './model.js';

export const NETNS_LIST = ['ip', '-j', 'netns', 'list'];
export const HOST_ADDRESSES = ['ip', '-j', '-d', 'addr'];

/** The same `ip` command, run in a named namespace. */
export function inNamespace(name: string, argv: readonly string[]): string[] {
  return ['ip', '-n', name, ...argv.slice(1)];
}

export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  prefix: number;
  /** global, link, host. */
  scope: string;
}

/** One interface as `ip -j -d addr` prints it. */
export interface NetInterface {
  name: string;
  index: number;
  /** bridge, veth, tun, ...; undefined for plain devices. */
  kind?: string;
  /** The bridge this interface is a port of. */
  master?: string;
  /** Set up by `ip link set ... up` (the UP flag). */
  adminUp: boolean;
  /** A carrier: for a veth, its peer is up too (LOWER_UP). */
  carrier: boolean;
  operstate: string;
  /** A veth's other end: its index, and the id of its namespace as this namespace numbers them (when elsewhere). */
  peer?: { index: number; netnsId?: number };
  addresses: InterfaceAddress[];
}

export function parseInterfaces(stdout: string, command: string): NetInterface[] {
  return asArray(parseEngineJson(stdout, command)).map((entry) => {
    const record = asRecord(entry);
    const flags = asArray(record.flags);
    const linkinfo = asRecord(record.linkinfo);
    const item: NetInterface = {
      name: asString(record.ifname) ?? '',
      index: typeof record.ifindex === 'number' ? record.ifindex : 0,
      adminUp: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP'),
      operstate: asString(record.operstate) ?? 'UNKNOWN',
      addresses: asArray(record.addr_info).flatMap((value) => {
        const address = asRecord(value);
        const local = asString(address.local);
        const family = address.family === 'inet' ? 4 : address.family === 'inet6' ? 6 : undefined;
        if (local === undefined || family === undefined || typeof address.prefixlen !== 'number') return [];
        return [{ family, address: local, prefix: address.prefixlen, scope: asString(address.scope) ?? 'global' }];
      }),
    };
    const kind = asString(linkinfo.info_kind);
    const master = asString(record.master);
    if (kind !== undefined) item.kind = kind;
    if (master !== undefined) item.master = master;
    if (kind === 'veth' && typeof record.link_index === 'number') {
      item.peer =
        typeof record.link_netnsid === 'number'
          ? { index: record.link_index, netnsId: record.link_netnsid }
          : { index: record.link_index };
    }
    return item;
  });
}

/** The IPv4 addresses of an interface that other hosts can reach (not link-local, not loopback). */
export function ipv4Addresses(item: NetInterface): InterfaceAddress[] {
  return item.addresses.filter((address) => address.family === 4 && address.scope === 'global');
}

/** "10.231.1.0/24" for 10.231.1.7/24. */
export function subnetOf(address: InterfaceAddress): string {
  const cidr = parseCidr(`${address.address}/${address.prefix}`);
  if (cidr === undefined) return `${address.address}/${address.prefix}`;
  const bytes = [24n, 16n, 8n, 0n].map((shift) => (cidr.network >> shift) & 255n);
  return `${bytes.join('.')}/${address.prefix}`;
}

/** Whether an address lies in the subnet of an interface address. */
export function inSubnet(address: string, of: InterfaceAddress): boolean {
  const subnet = parseCidr(`${of.address}/${of.prefix}`);
  const host = parseCidr(address);
  if (subnet === undefined || host === undefined || subnet.family !== host.family) return false;
  const bits = BigInt(subnet.family === 4 ? 32 : 128);
  const shift = bits - BigInt(subnet.prefix);
  return subnet.network >> shift === host.network >> shift;
}

/** A network namespace's interfaces and routes, with what they were read from. */
export interface NetworkView {
  interfaces: NetInterface[];
  routes: Route[];
  evidence: Evidence[];
}

export interface NamedNamespace {
  name: string;
  /** Its id as the host's namespace numbers it (`ip netns list` "(id: N)"); veths of the host name it by this id. */
  id?: number;
  /** Why it belongs to a container, when it does: engines name theirs netns-UUID (podman) or cni-UUID (CNI). */
  container?: string;
}

const CONTAINER_NAMESPACE = /^(netns|cni)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseNamespaceList(stdout: string): NamedNamespace[] {
  if (stdout.trim() === '') return [];
  return asArray(parseEngineJson(stdout, shellLine(NETNS_LIST))).flatMap((entry) => {
    const record = asRecord(entry);
    const name = asString(record.name);
    if (name === undefined) return [];
    const item: NamedNamespace = { name };
    if (typeof record.id === 'number') item.id = record.id;
    const engine = CONTAINER_NAMESPACE.exec(name)?.[1];
    if (engine !== undefined)
      item.container = `named as ${engine === 'netns' ? 'podman' : 'CNI'} names the namespaces of its containers`;
    return [item];
  });
}

export type NamespaceListing = Readable<{ items: NamedNamespace[]; command: string }>;

/** The named namespaces (the bind mounts in /run/netns); listing them needs no privilege. */
export const namedNamespaces = defineFact<NamespaceListing>('netns:list', async ({ host }) => {
  const result = await host.run(NETNS_LIST);
  if (result.exitCode !== 0)
    return { ok: false, code: result.error?.code ?? 'ECOMMAND', reason: failureReason(result) };
  try {
    return { ok: true, value: { items: parseNamespaceList(result.stdout), command: shellLine(NETNS_LIST) } };
  } catch (error) {
    return { ok: false, code: 'EPARSE', reason: (error as Error).message };
  }
});

const NEEDS_ROOT = /operation not permitted|permission denied/i;

async function readView(
  host: Host,
  addressArgv: string[],
  routeArgv: string[],
  where: string,
): Promise<Readable<NetworkView>> {
  const [addresses, routes] = await Promise.all([host.run(addressArgv), host.run(routeArgv)]);
  for (const result of [addresses, routes]) {
    if (result.exitCode === 0) continue;
    if (NEEDS_ROOT.test(result.stderr))
      return { ok: false, code: 'EPERM', reason: `cannot enter ${where}: needs root (run netdoctor as root)` };
    return { ok: false, code: result.error?.code ?? 'ECOMMAND', reason: failureReason(result) };
  }
  try {
    const interfaces = parseInterfaces(addresses.stdout, shellLine(addressArgv));
    return {
      ok: true,
      value: {
        interfaces,
        routes: parseIpRoutes(routes.stdout, shellLine(routeArgv)),
        evidence: [
          {
            source: 'command',
            what: shellLine(addressArgv),
            excerpt: interfaces.map(describeInterface).join('\n') || '(no interface)',
          },
        ],
      },
    };
  } catch (error) {
    return { ok: false, code: 'EPARSE', reason: (error as Error).message };
  }
}

/** A named namespace's interfaces and routes (`ip -n NAME -j -d addr`, `ip -n NAME -j route show table all`). */
export function namespaceView(name: string): FactDefinition<Readable<NetworkView>> {
  return defineFact(`netns:view:${name}`, async ({ host }) =>
    readView(host, inNamespace(name, HOST_ADDRESSES), inNamespace(name, IP_ROUTES), `network namespace ${name}`),
  );
}

/** The host's own interfaces with their addresses (`ip -j -d addr`) and its routes. */
export const hostView = defineFact<Readable<NetworkView>>('host:view', async (facts) => {
  const result = await facts.host.run(HOST_ADDRESSES);
  if (result.exitCode !== 0)
    return { ok: false, code: result.error?.code ?? 'ECOMMAND', reason: failureReason(result) };
  const routes = await facts.get(hostRoutes);
  if (!routes.ok) return routes;
  try {
    const interfaces = parseInterfaces(result.stdout, shellLine(HOST_ADDRESSES));
    return {
      ok: true,
      value: {
        interfaces,
        routes: routes.value.items,
        evidence: [
          {
            source: 'command',
            what: shellLine(HOST_ADDRESSES),
            excerpt: interfaces.map(describeInterface).join('\n'),
          },
        ],
      },
    };
  } catch (error) {
    return { ok: false, code: 'EPARSE', reason: (error as Error).message };
  }
});

/** One line per interface, as evidence: "ndl-vr veth master ndl-br0 UP, carrier, 10.231.1.1/24". */
export function describeInterface(item: NetInterface): string {
  const parts = [item.name];
  if (item.kind) parts.push(item.kind);
  if (item.master) parts.push(`master ${item.master}`);
  parts.push(item.adminUp ? (item.carrier ? 'UP' : 'UP, no carrier') : 'DOWN');
  const addresses = ipv4Addresses(item).map((address) => `${address.address}/${address.prefix}`);
  if (addresses.length > 0) parts.push(addresses.join(' '));
  return parts.join(' ');
}

/** A hand-made namespace on a host segment: its end of the veth, and the host's end. */
export interface SegmentMember {
  namespace: string;
  /** The namespace's end of the veth. */
  inside: NetInterface;
  /** The host's end: a port of the bridge, or the host interface of a point-to-point veth. */
  hostEnd: NetInterface;
  view: NetworkView;
}

/** Where hand-made namespaces meet the host: a bridge no engine owns, or a veth whose host end is on no bridge. */
export interface HandmadeSegment {
  kind: 'bridge' | 'veth';
  /** The bridge, or the host end of the veth. */
  host: NetInterface;
  members: SegmentMember[];
  /** Ports of the bridge whose other end is in no hand-made namespace: a container's, a VM's tap, LXC's. */
  otherPorts: NetInterface[];
}

/** A veth pair between two hand-made namespaces, with no host end. */
export interface NamespacePair {
  a: { namespace: string; inside: NetInterface };
  b: { namespace: string; inside: NetInterface };
}

export interface HandmadeNetworks {
  host: NetworkView;
  /** Hand-made namespaces that could be read, by name. */
  namespaces: Map<string, NetworkView>;
  /** Named namespaces that belong to containers, and why they are taken for containers'. */
  containerNamespaces: { name: string; why: string }[];
  segments: HandmadeSegment[];
  pairs: NamespacePair[];
  /** Bridges of the engines, left out. */
  engineBridges: string[];
  /** What could not be read: namespaces whose interfaces are unknown, engines whose networks were not listed. */
  unreadable: string[];
  evidence: Evidence[];
}

/** Bridges named as docker and podman (netavark, CNI) name theirs. */
const ENGINE_BRIDGE = /^(docker0|br-[0-9a-f]{12}|podman\d+|cni-podman\d+)$/;

function isPeer(a: NetInterface, b: NetInterface): boolean {
  return a.peer?.index === b.index && b.peer?.index === a.index;
}

/**
 * The host's bridges and veths that lead to hand-made namespaces. Namespaces of containers are containers'
 * (`netdoctor why` finds them by container name); everything else named in /run/netns is hand-made.
 */
export const handmadeNetworks = defineFact<Readable<HandmadeNetworks>>('netns:handmade', async (facts) => {
  const [listing, host] = await Promise.all([facts.get(namedNamespaces), facts.get(hostView)]);
  if (!listing.ok) return listing;
  if (!host.ok) return host;
  const unreadable: string[] = [];
  const containerNamespaces = listing.value.items.flatMap((item) =>
    item.container === undefined ? [] : [{ name: item.name, why: item.container }],
  );
  const handmade = listing.value.items.filter((item) => item.container === undefined);
  const views = await Promise.all(handmade.map((item) => facts.get(namespaceView(item.name))));
  const namespaces = new Map<string, NetworkView>();
  handmade.forEach((item, index) => {
    const view = views[index]!;
    if (view.ok) namespaces.set(item.name, view.value);
    else unreadable.push(`network namespace ${item.name}: ${view.reason}`);
  });
  // By name, without asking the engines (slow, and `why` must stay under 5 s): a bridge an engine was told to name
  // otherwise is looked at as a hand-made one, where the engine's own accept rules keep it out of the findings.
  const engineBridges = new Set(
    host.value.interfaces
      .filter((item) => item.kind === 'bridge' && ENGINE_BRIDGE.test(item.name))
      .map((item) => item.name),
  );

  const byId = new Map(handmade.flatMap((item) => (item.id === undefined ? [] : [[item.id, item.name] as const])));
  const memberOf = (hostEnd: NetInterface): SegmentMember | undefined => {
    if (hostEnd.kind !== 'veth' || hostEnd.peer?.netnsId === undefined) return undefined;
    const name = byId.get(hostEnd.peer.netnsId);
    const view = name === undefined ? undefined : namespaces.get(name);
    const inside = view?.interfaces.find((candidate) => isPeer(candidate, hostEnd));
    return name !== undefined && view !== undefined && inside !== undefined
      ? { namespace: name, inside, hostEnd, view }
      : undefined;
  };

  const segments: HandmadeSegment[] = [];
  for (const bridge of host.value.interfaces.filter(
    (item) => item.kind === 'bridge' && !engineBridges.has(item.name),
  )) {
    const ports = host.value.interfaces.filter((item) => item.master === bridge.name);
    const members = ports.flatMap((port) => memberOf(port) ?? []);
    segments.push({
      kind: 'bridge',
      host: bridge,
      members,
      otherPorts: ports.filter((port) => !members.some((member) => member.hostEnd === port)),
    });
  }
  for (const end of host.value.interfaces.filter((item) => item.kind === 'veth' && item.master === undefined)) {
    const member = memberOf(end);
    if (member !== undefined) segments.push({ kind: 'veth', host: end, members: [member], otherPorts: [] });
  }

  const pairs: NamespacePair[] = [];
  const names = [...namespaces.keys()];
  for (const [position, name] of names.entries()) {
    for (const inside of namespaces.get(name)!.interfaces.filter((item) => item.peer?.netnsId !== undefined)) {
      for (const other of names.slice(position + 1)) {
        const peer = namespaces.get(other)!.interfaces.find((candidate) => isPeer(candidate, inside));
        // A host end with the same indexes would be the real peer: the host's veths are matched above.
        const hostEnd = host.value.interfaces.find((candidate) => isPeer(candidate, inside));
        if (peer !== undefined && hostEnd === undefined)
          pairs.push({ a: { namespace: name, inside }, b: { namespace: other, inside: peer } });
      }
    }
  }
  const evidence: Evidence[] = [
    { source: 'command', what: shellLine(NETNS_LIST), excerpt: describeListing(listing.value.items) },
    ...host.value.evidence,
  ];
  for (const view of namespaces.values()) evidence.push(...view.evidence);
  return {
    ok: true,
    value: {
      host: host.value,
      namespaces,
      containerNamespaces,
      segments,
      pairs,
      engineBridges: [...engineBridges].sort(),
      unreadable,
      evidence,
    },
  };
});

function describeListing(items: NamedNamespace[]): string {
  if (items.length === 0) return '(no named network namespace)';
  return items
    .map(
      (item) =>
        `${item.name}${item.id === undefined ? '' : ` (id ${item.id})`}${item.container ? ': a container' : ''}`,
    )
    .join('\n');
}

/** The default route of a namespace's main table, if it has one. */
export function defaultRouteOf(view: NetworkView): Route | undefined {
  return view.routes.find((route) => route.dst === 'default' && route.table === 'main' && route.type === 'unicast');
}

/** A segment's name in sentences: "hand-made bridge ndl-br0", "veth ndup (to namespace ndext)". */
export function segmentLabel(segment: HandmadeSegment): string {
  if (segment.kind === 'bridge') return `bridge ${segment.host.name}`;
  return `veth ${segment.host.name} (to namespace ${segment.members[0]?.namespace ?? '?'})`;
}

/** Addresses in the private ranges: a packet from them needs NAT to get an answer from beyond the host. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].flatMap(
  (text) => parseCidr(text) ?? [],
);

export function isPrivateIpv4(address: string): boolean {
  const cidr = parseCidr(address);
  return (
    cidr !== undefined &&
    PRIVATE_RANGES.some(
      (range) =>
        cidr.family === range.family &&
        cidr.network >> BigInt(32 - range.prefix) === range.network >> BigInt(32 - range.prefix),
    )
  );
}

/**
 * The members that send traffic beyond the segment through the host: a default route (or a route beyond their
 * subnet) via an address the host holds on this segment. Those need forwarding, and NAT when their addresses
 * are private.
 */
export function routedOut(segment: HandmadeSegment): { member: SegmentMember; via: string; route: Route }[] {
  const hostAddresses = ipv4Addresses(segment.host).map((address) => address.address);
  return segment.members.flatMap((member) => {
    const route = defaultRouteOf(member.view);
    if (route?.gateway === undefined) return [];
    const own = route.dev === undefined || route.dev === member.inside.name;
    return own && hostAddresses.includes(route.gateway) ? [{ member, via: route.gateway, route }] : [];
  });
}

/** The line of `ip -j -d addr` (in a namespace, or on the host) that shows one interface, as evidence. */
export function interfaceEvidence(item: NetInterface, namespace?: string): Evidence {
  const argv = namespace === undefined ? HOST_ADDRESSES : inNamespace(namespace, HOST_ADDRESSES);
  return { source: 'command', what: shellLine(argv), excerpt: describeInterface(item) };
}

/** The routes of a namespace's main table, as evidence. */
export function routesEvidence(view: NetworkView, namespace: string): Evidence {
  const main = view.routes.filter((route) => route.table === 'main' && route.type === 'unicast');
  return {
    source: 'command',
    what: shellLine(inNamespace(namespace, IP_ROUTES)),
    excerpt: main.map(describeRoute).join('\n') || '(no route in the main table)',
  };
}
