/**
 * One packet, and what a netfilter rule asks of it: the common form into which both iptables-save lines and
 * nft JSON rules are translated, and the three-valued test of a packet against it.
 */
import { rangeContains, type AddressFamily, type AddressRange, type PortRange } from './address.js';

/** The netfilter hooks a container's packets cross. `ingress` is the netdev family's per-device hook. */
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress';

/**
 * Which hook list sees the packet: the IP stack's (ip, ip6 and inet tables and iptables), or the bridge's
 * (bridge tables, for frames that a Linux bridge switches between its ports or hands to the host).
 */
export type Layer = 'ip' | 'bridge';

export type ConntrackState = 'new' | 'established' | 'related' | 'invalid' | 'untracked';

/**
 * A packet at one hook. A field left undefined is not known: rules that test it cannot be decided, and the
 * evaluation says so instead of guessing.
 */
export interface Packet {
  hook: Hook;
  layer: Layer;
  family: AddressFamily;
  /** Input and output interface. On the bridge layer these are the bridge's ports (veth names). */
  iif?: string;
  oif?: string;
  /** The bridge a bridged frame enters and leaves (nft `meta ibrname` / `meta obrname`). */
  inBridge?: string;
  outBridge?: string;
  saddr?: string;
  daddr?: string;
  /** tcp, udp, icmp, ... */
  protocol: string;
  sport?: number;
  dport?: number;
  ctState: ConntrackState;
  /** Conntrack status bits that are set, e.g. ['dnat'] for a connection to a published port. */
  ctStatus?: string[];
  /** The packet crosses the IP hooks because br_netfilter passes bridged traffic to them (`physdev-is-bridged`). */
  bridged?: boolean;
  /**
   * Whether the destination (source) is an address of this host: `addrtype --dst-type LOCAL`, `fib daddr type local`.
   */
  daddrLocal?: boolean;
  saddrLocal?: boolean;
}

/** An interface name as a rule writes it; a wildcard matches every name that starts with `name`. */
export interface InterfacePattern {
  name: string;
  wildcard: boolean;
}

export type Direction = 'source' | 'destination';

export type Condition =
  | { kind: 'interface'; direction: 'in' | 'out'; patterns: InterfacePattern[]; negated: boolean }
  | { kind: 'bridge'; direction: 'in' | 'out'; patterns: InterfacePattern[]; negated: boolean }
  | { kind: 'address'; direction: Direction; ranges: AddressRange[]; negated: boolean }
  /** The rule applies to one address family only (nft `ip saddr` in an inet table, `meta nfproto ipv4`). */
  | { kind: 'family'; family: AddressFamily }
  | { kind: 'protocol'; protocols: string[]; negated: boolean }
  | { kind: 'port'; direction: Direction; ranges: PortRange[]; negated: boolean }
  | { kind: 'ct-state'; states: string[]; negated: boolean }
  | { kind: 'ct-status'; statuses: string[]; negated: boolean }
  | { kind: 'address-type'; direction: Direction; types: string[]; negated: boolean }
  | { kind: 'bridged'; negated: boolean }
  /** A match this model cannot evaluate; `what` names it for the person reading the verdict. */
  | { kind: 'unknown'; what: string };

export type NatAction = 'masquerade' | 'snat' | 'dnat' | 'redirect';

export type Action =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject' }
  | { kind: 'return' }
  /** The rule only counts, logs or marks: evaluation goes on with the next rule. */
  | { kind: 'continue' }
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string }
  /** Address translation ends the chain like an accept does. `to` is the new address, as written. */
  | { kind: 'nat'; nat: NatAction; to?: string }
  /** A verdict map: the first entry whose condition matches decides; none matching goes on. */
  | { kind: 'map'; entries: { condition: Condition; action: Action }[] }
  | { kind: 'unknown'; what: string };

export type Tristate = 'yes' | 'no' | 'maybe';

/** Whether the packet meets one condition, or `maybe` when the packet or the model lacks what decides it. */
export function testCondition(condition: Condition, packet: Packet): Tristate {
  switch (condition.kind) {
    case 'interface': {
      const name = condition.direction === 'in' ? packet.iif : packet.oif;
      return name === undefined ? 'maybe' : negate(matchesInterface(condition.patterns, name), condition.negated);
    }
    case 'bridge': {
      if (packet.layer !== 'bridge') return 'no';
      const name = condition.direction === 'in' ? packet.inBridge : packet.outBridge;
      return name === undefined ? 'maybe' : negate(matchesInterface(condition.patterns, name), condition.negated);
    }
    case 'address': {
      const address = condition.direction === 'source' ? packet.saddr : packet.daddr;
      // A rule on one family never matches a packet of the other, negated or not.
      if (condition.ranges.length > 0 && condition.ranges.every((range) => range.family !== packet.family)) return 'no';
      if (address === undefined) return 'maybe';
      const found = condition.ranges.some((range) => rangeContains(range, address) === true);
      return negate(found, condition.negated);
    }
    case 'family':
      return condition.family === packet.family ? 'yes' : 'no';
    case 'protocol':
      return negate(
        condition.protocols.some((protocol) => sameProtocol(protocol, packet.protocol)),
        condition.negated,
      );
    case 'port': {
      if (!PORT_PROTOCOLS.has(packet.protocol)) return 'no';
      const port = condition.direction === 'source' ? packet.sport : packet.dport;
      if (port === undefined) return 'maybe';
      return negate(
        condition.ranges.some((range) => port >= range.low && port <= range.high),
        condition.negated,
      );
    }
    case 'ct-state':
      return testConntrackState(condition.states, condition.negated, packet);
    case 'ct-status': {
      const statuses = condition.statuses.map((status) => status.toLowerCase());
      if (!statuses.every((status) => DECIDABLE_STATUSES.has(status))) return 'maybe';
      const set = new Set(packet.ctStatus ?? []);
      return negate(
        statuses.some((status) => set.has(status)),
        condition.negated,
      );
    }
    case 'address-type': {
      const types = condition.types.map((type) => type.toUpperCase());
      if (types.length !== 1 || types[0] !== 'LOCAL') return 'maybe';
      const local = condition.direction === 'source' ? packet.saddrLocal : packet.daddrLocal;
      return local === undefined ? 'maybe' : negate(local, condition.negated);
    }
    case 'bridged':
      return packet.bridged === undefined ? 'maybe' : negate(packet.bridged, condition.negated);
    case 'unknown':
      return 'maybe';
  }
}

/** All conditions of a rule must hold: one `no` decides, otherwise one `maybe` leaves it open. */
export function testConditions(
  conditions: readonly Condition[],
  packet: Packet,
): { result: Tristate; undecided: Condition[] } {
  const undecided: Condition[] = [];
  for (const condition of conditions) {
    const result = testCondition(condition, packet);
    if (result === 'no') return { result: 'no', undecided: [] };
    if (result === 'maybe') undecided.push(condition);
  }
  return { result: undecided.length > 0 ? 'maybe' : 'yes', undecided };
}

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp']);
/** Status bits a packet's description fixes; others (assured, seen-reply, ...) depend on the connection's history. */
const DECIDABLE_STATUSES = new Set(['dnat', 'snat']);

const PROTOCOL_NUMBERS: Record<string, string> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '33': 'dccp',
  '58': 'icmpv6',
  '132': 'sctp',
  '136': 'udplite',
  'ipv6-icmp': 'icmpv6',
  icmp6: 'icmpv6',
};

function canonicalProtocol(protocol: string): string {
  const lower = protocol.toLowerCase();
  return PROTOCOL_NUMBERS[lower] ?? lower;
}

function sameProtocol(ruleProtocol: string, packetProtocol: string): boolean {
  const canonical = canonicalProtocol(ruleProtocol);
  return canonical === 'all' || canonical === '0' || canonical === canonicalProtocol(packetProtocol);
}

function testConntrackState(states: string[], negated: boolean, packet: Packet): Tristate {
  let found = false;
  for (const state of states.map((item) => item.toLowerCase())) {
    // iptables' conntrack match knows two virtual states, DNAT and SNAT: the connection's status bits.
    if (state === 'dnat' || state === 'snat') found ||= (packet.ctStatus ?? []).includes(state);
    else found ||= state === packet.ctState;
  }
  return negate(found, negated);
}

function negate(value: boolean, negated: boolean): Tristate {
  return value !== negated ? 'yes' : 'no';
}

function matchesInterface(patterns: readonly InterfacePattern[], name: string): boolean {
  return patterns.some((pattern) => (pattern.wildcard ? name.startsWith(pattern.name) : name === pattern.name));
}

/** A short text for a condition, for a verdict that says which match it could not decide. */
export function describeCondition(condition: Condition): string {
  const not = (negated: boolean) => (negated ? '!' : '');
  const names = (patterns: InterfacePattern[]) =>
    patterns.map((pattern) => `${pattern.name}${pattern.wildcard ? '*' : ''}`).join(',');
  switch (condition.kind) {
    case 'interface':
      return `${not(condition.negated)}${condition.direction === 'in' ? 'iif' : 'oif'} ${names(condition.patterns)}`;
    case 'bridge':
      return `${not(condition.negated)}${condition.direction === 'in' ? 'ibrname' : 'obrname'} ${names(condition.patterns)}`;
    case 'address':
      return `${not(condition.negated)}${condition.direction === 'source' ? 'saddr' : 'daddr'}`;
    case 'family':
      return `family ${condition.family}`;
    case 'protocol':
      return `${not(condition.negated)}protocol ${condition.protocols.join(',')}`;
    case 'port':
      return `${not(condition.negated)}${condition.direction === 'source' ? 'sport' : 'dport'}`;
    case 'ct-state':
      return `${not(condition.negated)}ct state ${condition.states.join(',')}`;
    case 'ct-status':
      return `${not(condition.negated)}ct status ${condition.statuses.join(',')}`;
    case 'address-type':
      return `${not(condition.negated)}${condition.direction === 'source' ? 'src' : 'dst'}-type ${condition.types.join(',')}`;
    case 'bridged':
      return `${not(condition.negated)}physdev-is-bridged`;
    case 'unknown':
      return condition.what;
  }
}
