import { createHmac, randomBytes } from 'node:crypto';
import { detailIfRecorded, type Facts } from '../core/facts.js';
import { dockerNetworks } from '../facts/docker.js';
import { podmanNetworks, rootlessUsers } from '../facts/podman.js';
import {
  formatAddress,
  parseAddress,
  parseAddressRange,
  type AddressFamily,
  type AddressRange,
} from '../netfilter/address.js';

/**
 * `--redact`: the host's identity replaced by stable pseudonyms in the report and the snapshot, as `sos clean`
 * does. The same input gives the same pseudonym throughout one run (report, every format, snapshot), so a
 * redacted snapshot still replays to the same diagnosis:
 * - the host name (and its first label) becomes `redacted-host`;
 * - user names (who ran netdoctor, users with subordinate ids, users named in findings) become `redacted-userN`,
 *   root and system names excepted;
 * - MAC addresses become locally administered ones, 02:00:00:00:00:01 upwards;
 * - addresses that are not in a container subnet, loopback, multicast or unspecified are scrambled in a
 *   prefix-preserving way (addresses of one subnet stay in one subnet, a network address stays one) with a key
 *   drawn for this run; an address keeps its class (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16 stay
 *   so) and its last byte (.1 stays the gateway), and never maps to itself.
 */
export interface RedactionInput {
  hostname: string;
  users: readonly string[];
  /** Container subnets: their addresses stay, the diagnosis is about them. */
  containerSubnets: readonly string[];
  /** The scrambling key; drawn at random for each run unless a test fixes it. */
  key?: Buffer;
}

/** Names netdoctor's own commands and paths use: a user so named is not replaced, or the snapshot would not replay. */
const NOT_PERSONAL = new Set([
  'root',
  'nobody',
  'docker',
  'podman',
  'containers',
  'netdoctor',
  'daemon',
  'bin',
  'sys',
  'localhost',
]);

const MAC = /(?<![0-9a-f:])(?:[0-9a-f]{2}:){5}[0-9a-f]{2}(?![0-9a-f:])/gi;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?!\.?\d)/g;
const IPV6 =
  /(?<![0-9a-z:])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:\/\d{1,3})?(?![0-9a-z:])/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A whole word: not part of a longer name, path segment or host name. */
function wordPattern(word: string): RegExp {
  return new RegExp(`(?<![\\w-])${escapeRegExp(word)}(?![\\w-])`, 'g');
}

/** Leading bits an address keeps: its special-purpose block, so a private address stays private. */
function keptBits(family: AddressFamily, value: bigint): number {
  if (family === 'ipv6') {
    if (value >> 118n === 0x3fan) return 10; // fe80::/10 link-local
    if (value >> 121n === 0x7en) return 7; // fc00::/7 unique local
    return 16;
  }
  const first = Number(value >> 24n);
  const second = Number((value >> 16n) & 0xffn);
  if (first === 10) return 8;
  if (first === 172) return 12;
  if (first === 192) return 16;
  if (first === 100) return 10;
  if (first === 169 && second === 254) return 16;
  if (first === 198) return 15;
  return 8;
}

function kept(family: AddressFamily, value: bigint): boolean {
  if (family === 'ipv4') {
    const first = Number(value >> 24n);
    return first === 127 || first >= 224 || value === 0n;
  }
  return value === 0n || value === 1n || value >> 120n === 0xffn;
}

export class Redactor {
  private readonly key: Buffer;
  private readonly names: [RegExp, string][] = [];
  private readonly macs = new Map<string, string>();
  private readonly flips = new Map<string, bigint>();
  private readonly subnets: AddressRange[];

  constructor(input: RedactionInput) {
    this.key = input.key ?? randomBytes(32);
    this.subnets = input.containerSubnets
      .map((subnet) => parseAddressRange(subnet))
      .filter((range) => range !== undefined);
    const hostname = input.hostname.trim();
    const names = new Map<string, string>();
    if (hostname !== '' && !NOT_PERSONAL.has(hostname)) {
      names.set(hostname, 'redacted-host');
      const shortName = hostname.split('.')[0]!;
      if (shortName !== hostname && shortName.length >= 2) names.set(shortName, 'redacted-host');
    }
    let count = 0;
    for (const user of input.users) {
      if (user === '' || NOT_PERSONAL.has(user) || names.has(user)) continue;
      count += 1;
      names.set(user, `redacted-user${count}`);
    }
    // Longer names first, so that a host name holding a user name is replaced whole.
    for (const [name, pseudonym] of [...names].sort((left, right) => right[0].length - left[0].length))
      this.names.push([wordPattern(name), pseudonym]);
  }

  /** One string with the host's identity replaced. */
  text(input: string): string {
    let text = input.replace(MAC, (mac) => this.mac(mac));
    text = text.replace(IPV4, (address) => this.address(address));
    text = text.replace(IPV6, (address) => this.address(address));
    for (const [pattern, pseudonym] of this.names) text = text.replace(pattern, pseudonym);
    return text;
  }

  /** Every string of a value (a report, a snapshot) redacted; object keys stay. */
  value<T>(input: T): T {
    const walk = (value: unknown): unknown => {
      if (typeof value === 'string') return this.text(value);
      if (Array.isArray(value)) return value.map(walk);
      if (typeof value === 'object' && value !== null)
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
      return value;
    };
    return walk(input) as T;
  }

  private mac(mac: string): string {
    const key = mac.toLowerCase();
    if (key === '00:00:00:00:00:00' || key === 'ff:ff:ff:ff:ff:ff') return mac;
    let pseudonym = this.macs.get(key);
    if (pseudonym === undefined) {
      const number = this.macs.size + 1;
      pseudonym = ['02', '00', '00', (number >> 16) & 0xff, (number >> 8) & 0xff, number & 0xff]
        .map((part) => (typeof part === 'string' ? part : part.toString(16).padStart(2, '0')))
        .join(':');
      this.macs.set(key, pseudonym);
    }
    return mac === key ? pseudonym : pseudonym.toUpperCase();
  }

  private address(text: string): string {
    const [addressText = '', lengthText] = text.split('/');
    const parsed = parseAddress(addressText);
    if (parsed === undefined) return text;
    const { family, value } = parsed;
    const width = family === 'ipv4' ? 32 : 128;
    const length = lengthText === undefined ? width : Number(lengthText);
    if (length > width || kept(family, value)) return text;
    const range = parseAddressRange(text);
    const inContainerSubnet = this.subnets.some(
      (subnet) =>
        subnet.family === family && range !== undefined && range.low >= subnet.low && range.high <= subnet.high,
    );
    if (inContainerSubnet) return text;
    const scrambled = this.scramble(family, value, length);
    return `${formatAddress(family, scrambled)}${lengthText === undefined ? '' : `/${lengthText}`}`;
  }

  /** Flips bits [kept, end) where each flip depends only on the bits before it: prefixes map to prefixes. */
  private scramble(family: AddressFamily, value: bigint, length: number): bigint {
    const width = family === 'ipv4' ? 32 : 128;
    // IPv4 keeps its last byte: the host number within its /24 (.1 the gateway, .255 the broadcast). An IPv6
    // interface identifier is scrambled too: it is often made of the MAC (EUI-64).
    const last = family === 'ipv4' ? 24 : width;
    const hostBits = value & ((1n << BigInt(width - length)) - 1n);
    // A network (no host bits) keeps its zeros; an address written with its prefix length is scrambled whole.
    const end = hostBits === 0n ? Math.min(length, last) : last;
    const start = keptBits(family, value);
    let result = value;
    for (let bit = start; bit < end; bit++) {
      const position = BigInt(width - 1 - bit);
      const prefix = `${family}/${bit}/${(value >> (position + 1n)).toString(16)}`;
      let flip = this.flips.get(prefix);
      if (flip === undefined) {
        flip = bit === start ? 1n : BigInt(createHmac('sha256', this.key).update(prefix).digest()[0]! & 1);
        this.flips.set(prefix, flip);
      }
      result ^= flip << position;
    }
    return result;
  }
}

/** The redactor of one run: the host's name, its users, and the container subnets whose addresses stay. */
export async function redactorFor(facts: Facts, namedUsers: readonly string[]): Promise<Redactor> {
  // What a replayed snapshot did not record leaves fewer names to keep: their addresses are then scrambled too.
  const [docker, podman, subordinate] = await Promise.all([
    detailIfRecorded(facts, dockerNetworks),
    detailIfRecorded(facts, podmanNetworks),
    detailIfRecorded(facts, rootlessUsers),
  ]);
  const networks = [...(docker?.ok ? docker.items : []), ...(podman?.ok ? podman.items : [])];
  const { context } = facts.host;
  return new Redactor({
    hostname: context.hostname,
    users: [context.user, ...(subordinate?.ok ? subordinate.value : []), ...namedUsers],
    // slirp4netns gives every rootless container 10.0.2.0/24 without a network listing it.
    containerSubnets: [...networks.flatMap((network) => network.subnets.map((subnet) => subnet.subnet)), '10.0.2.0/24'],
  });
}
