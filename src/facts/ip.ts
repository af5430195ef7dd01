import { parseAddress } from '../netfilter/address.js';
import { shellLine } from '../core/shell.js';
import { defineFact } from '../core/facts.js';
import type { Readable } from './files.js';
import { failureReason } from './docker.js';
import { asArray, asRecord, asString, parseEngineJson } from './model.js';

export const IP_ROUTES = ['ip', '-j', 'route', 'show', 'table', 'all'];
export const IP_LINKS = ['ip', '-j', '-d', 'link'];

/** An IPv4 or IPv6 prefix as numbers, so that prefixes can be compared. */
export interface Cidr {
  family: 4 | 6;
  network: bigint;
  prefix: number;
  text: string;
}

/** Parses "10.89.0.0/24", "fd00::/64", or a bare address (a host route: /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', length] = text.split('/');
  const parsed = parseAddress(address);
  if (parsed === undefined) return undefined;
  const family = parsed.family === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const prefix = length === undefined ? bits : Number(length);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { family, network: (parsed.value >> hostBits) << hostBits, prefix, text };
}

/** Whether two prefixes share any address: one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = BigInt(a.family === 4 ? 32 : 128);
  const shorter = BigInt(Math.min(a.prefix, b.prefix));
  return a.network >> (bits - shorter) === b.network >> (bits - shorter);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.prefix <= inner.prefix && cidrsOverlap(outer, inner);
}

function formatIpv4Cidr(cidr: Cidr): string {
  const bytes = [24n, 16n, 8n, 0n].map((shift) => (cidr.network >> shift) & 255n);
  return `${bytes.join('.')}/${cidr.prefix}`;
}

const PRIVATE_POOLS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].flatMap((text) => parseCidr(text) ?? []);

/** The first private IPv4 prefix of the same size that overlaps nothing taken, for a network to move to. */
export function freeSubnet(like: Cidr, taken: readonly Cidr[]): string | undefined {
  if (like.family !== 4) return undefined;
  const step = 1n << BigInt(32 - like.prefix);
  for (const pool of PRIVATE_POOLS.filter((candidate) => candidate.prefix <= like.prefix)) {
    const end = pool.network + (1n << BigInt(32 - pool.prefix));
    for (let network = pool.network; network < end; network += step) {
      const candidate: Cidr = { family: 4, network, prefix: like.prefix, text: '' };
      if (!taken.some((used) => cidrsOverlap(used, candidate))) return formatIpv4Cidr(candidate);
    }
  }
  return undefined;
}

export interface Route {
  /** "default" or a prefix as ip prints it. */
  dst: string;
  /** unicast when ip prints no type. */
  type: string;
  table: string;
  dev?: string;
  gateway?: string;
  protocol?: string;
  /** A per-route MTU (`ip route ... mtu 1400`). */
  mtu?: number;
}

/** Routes as `ip -j route` prints them; `command` names what printed them when it is not JSON. */
export function parseIpRoutes(stdout: string, command = shellLine(IP_ROUTES)): Route[] {
  return asArray(parseEngineJson(stdout, command)).map((entry) => {
    const record = asRecord(entry);
    const route: Route = {
      dst: asString(record.dst) ?? '',
      type: asString(record.type) ?? 'unicast',
      table: asString(record.table) ?? 'main',
    };
    const dev = asString(record.dev);
    const gateway = asString(record.gateway);
    const protocol = asString(record.protocol);
    if (dev !== undefined) route.dev = dev;
    if (gateway !== undefined) route.gateway = gateway;
    if (protocol !== undefined) route.protocol = protocol;
    const mtu = asArray(record.metrics)
      .map(asRecord)
      .find((metric) => typeof metric.mtu === 'number')?.mtu;
    if (typeof mtu === 'number') route.mtu = mtu;
    return route;
  });
}

/** How a route reads in `ip route` terms, for evidence. */
export function describeRoute(route: Route): string {
  const parts = [route.type === 'unicast' ? '' : route.type, route.dst];
  if (route.gateway) parts.push(`via ${route.gateway}`);
  if (route.dev) parts.push(`dev ${route.dev}`);
  if (route.table !== 'main') parts.push(`table ${route.table}`);
  if (route.protocol) parts.push(`proto ${route.protocol}`);
  if (route.mtu !== undefined) parts.push(`mtu ${route.mtu}`);
  return parts.filter((part) => part !== '').join(' ');
}

export interface Link {
  name: string;
  mtu: number;
  /** The bridge (or bond) this link is a port of. */
  master?: string;
  /** bridge, veth, wireguard, vxlan, tun, ...; undefined for plain devices. */
  kind?: string;
  /** The link it is stacked on (a macvlan's parent) or paired with (a veth's peer). */
  parent?: string;
  /** The mode of a macvlan or ipvlan link (bridge, vepa, private, l2, l3, ...). */
  mode?: string;
  up: boolean;
}

export function parseIpLinks(stdout: string): Link[] {
  return asArray(parseEngineJson(stdout, shellLine(IP_LINKS))).map((entry) => {
    const record = asRecord(entry);
    const link: Link = {
      name: asString(record.ifname) ?? '',
      mtu: typeof record.mtu === 'number' ? record.mtu : 0,
      up: asArray(record.flags).includes('UP'),
    };
    const master = asString(record.master);
    const linkinfo = asRecord(record.linkinfo);
    const kind = asString(linkinfo.info_kind);
    const parent = asString(record.link);
    const mode = asString(asRecord(linkinfo.info_data).mode);
    if (master !== undefined) link.master = master;
    if (kind !== undefined) link.kind = kind;
    if (parent !== undefined) link.parent = parent;
    if (mode !== undefined) link.mode = mode;
    return link;
  });
}

export interface Recorded<T> {
  items: T[];
  command: string;
}

function ipFact<T>(key: string, argv: string[], parse: (stdout: string) => T[]) {
  return defineFact<Readable<Recorded<T>>>(key, async ({ host }) => {
    const result = await host.run(argv);
    if (result.exitCode !== 0)
      return { ok: false, code: result.error?.code ?? 'ECOMMAND', reason: failureReason(result) };
    try {
      return { ok: true, value: { items: parse(result.stdout), command: shellLine(argv) } };
    } catch (error) {
      return { ok: false, code: 'EPARSE', reason: (error as Error).message };
    }
  });
}

/** Every route of every table: VPNs and policy routing put theirs outside the main table. */
export const hostRoutes = ipFact('host:routes', IP_ROUTES, parseIpRoutes);

export const hostLinks = ipFact('host:links', IP_LINKS, parseIpLinks);

export const IP6_DEFAULT_ROUTES = ['ip', '-6', '-j', 'route', 'show', 'default'];

/** The host's IPv6 default routes: `ip route` without -6 lists IPv4 only. */
export const ipv6DefaultRoutes = ipFact('host:ipv6-default-routes', IP6_DEFAULT_ROUTES, parseIpRoutes);
