/**
 * The netfilter paths that container traffic takes on a rootful host, as sequences of packets at hooks, and
 * their evaluation against a model. Each builder describes one kind of traffic; `evaluatePath` runs it.
 *
 * A frame from a container first crosses the bridge's own hooks (bridge family tables). Traffic that the host
 * routes (to the outside, to another bridge, to a published port) then crosses the IP hooks with the bridge as
 * its interface. Traffic between two containers on the same bridge is switched, not routed: it reaches the IP
 * hooks only when br_netfilter is loaded and net.bridge.bridge-nf-call-iptables is 1.
 */
import type { AddressFamily } from './address.js';
import { addressFamilyOf } from './address.js';
import {
  evaluate,
  type Decider,
  type Evaluation,
  type FirewallModel,
  type Uncertainty,
  type Verdict,
} from './model.js';
import type { Hook, Layer, Packet } from './rule.js';

/** Stands for any address beyond the host's default route (TEST-NET-3, never routed). */
export const OUTSIDE_ADDRESS = '203.0.113.10';
export const OUTSIDE_ADDRESS_V6 = '2001:db8::10';

/** A container's end of the path: its address on a network, and the host bridge of that network. */
export interface Endpoint {
  address: string;
  bridge: string;
}

export type PathKind =
  | 'same-bridge'
  | 'bridge-to-bridge'
  | 'to-outside'
  | 'reply-from-outside'
  | 'published-port'
  | 'dns-to-gateway'
  | 'host-port'
  | 'to-host';

export interface TrafficPath {
  kind: PathKind;
  /** In plain words: what travels from where to where. */
  description: string;
  steps: Packet[];
}

export interface PathEvaluation {
  path: TrafficPath;
  verdict: Verdict;
  /** As in `Evaluation`: the drop, the undecidable rule, or the last accept; null when no chain saw the packet. */
  decidedBy: Decider | null;
  possibleDrop?: Decider;
  uncertain: Uncertainty[];
  /** One evaluation per hook crossed, up to the one that dropped the packet. */
  steps: Evaluation[];
}

export interface Transport {
  protocol: string;
  port: number;
}

const WEB: Transport = { protocol: 'tcp', port: 80 };

/** "tcp/80", or "icmp" for a protocol without ports. */
function describeTransport(transport: Transport): string {
  return transport.protocol === 'icmp' ? 'icmp' : `${transport.protocol}/${transport.port}`;
}

function familyOf(address: string): AddressFamily {
  return addressFamilyOf(address) ?? 'ipv4';
}

function packet(hook: Hook, layer: Layer, fields: Omit<Packet, 'hook' | 'layer'>): Packet {
  return { hook, layer, ...fields };
}

/** Container to container on one bridge: the bridge's forward hook, and the IP hooks when br_netfilter passes them. */
export function sameBridgePath(
  from: Endpoint,
  to: Endpoint,
  bridgeNfCallIptables: boolean,
  transport: Transport = WEB,
): TrafficPath {
  const fields = {
    family: familyOf(from.address),
    saddr: from.address,
    daddr: to.address,
    protocol: transport.protocol,
    dport: transport.port,
    ctState: 'new' as const,
  };
  const bridged = { ...fields, inBridge: from.bridge, outBridge: from.bridge };
  const steps: Packet[] = [
    packet('prerouting', 'bridge', bridged),
    packet('forward', 'bridge', bridged),
    packet('postrouting', 'bridge', bridged),
  ];
  if (bridgeNfCallIptables) {
    // br_netfilter hands the IP hooks the bridge itself as both interfaces.
    const routedView = { ...fields, iif: from.bridge, oif: from.bridge, bridged: true, daddrLocal: false };
    steps.push(
      packet('prerouting', 'ip', routedView),
      packet('forward', 'ip', routedView),
      packet('postrouting', 'ip', routedView),
    );
  }
  return {
    kind: 'same-bridge',
    description: `from ${from.address} to ${to.address} on bridge ${from.bridge} (${describeTransport(transport)})`,
    steps,
  };
}

/** Container on one bridge to a container on another: routed by the host. */
export function bridgeToBridgePath(from: Endpoint, to: Endpoint, transport: Transport = WEB): TrafficPath {
  const fields = {
    family: familyOf(from.address),
    saddr: from.address,
    daddr: to.address,
    protocol: transport.protocol,
    dport: transport.port,
    ctState: 'new' as const,
    bridged: false,
    daddrLocal: false,
  };
  return {
    kind: 'bridge-to-bridge',
    description: `from ${from.address} on ${from.bridge} to ${to.address} on ${to.bridge} (${describeTransport(transport)})`,
    steps: [
      ...intoHostFromBridge(from.bridge, fields),
      packet('prerouting', 'ip', { ...fields, iif: from.bridge }),
      packet('forward', 'ip', { ...fields, iif: from.bridge, oif: to.bridge }),
      packet('postrouting', 'ip', { ...fields, oif: to.bridge }),
      ...outOfHostToBridge(to.bridge, fields),
    ],
  };
}

/**
 * A new connection from a container to an address beyond the host's default route (`uplink`); `destination` is
 * a real address the host routes through `uplink`, when one is known.
 */
export function toOutsidePath(
  from: Endpoint,
  uplink: string | undefined,
  transport: Transport = WEB,
  destination?: string,
): TrafficPath {
  const family = familyOf(from.address);
  const outside = destination ?? (family === 'ipv4' ? OUTSIDE_ADDRESS : OUTSIDE_ADDRESS_V6);
  const fields = {
    family,
    saddr: from.address,
    daddr: outside,
    protocol: transport.protocol,
    dport: transport.port,
    ctState: 'new' as const,
    bridged: false,
    daddrLocal: false,
  };
  const out = uplink === undefined ? {} : { oif: uplink };
  return {
    kind: 'to-outside',
    description: `from ${from.address} on ${from.bridge} to ${outside} beyond ${uplink ?? 'the default route'} (${describeTransport(transport)})`,
    steps: [
      ...intoHostFromBridge(from.bridge, fields),
      packet('prerouting', 'ip', { ...fields, iif: from.bridge }),
      packet('forward', 'ip', { ...fields, iif: from.bridge, ...out }),
      packet('postrouting', 'ip', { ...fields, ...out }),
    ],
  };
}

/** The answer to a container's outgoing connection, coming back from the outside (conntrack: established). */
export function replyFromOutsidePath(
  to: Endpoint,
  uplink: string | undefined,
  transport: Transport = WEB,
): TrafficPath {
  const family = familyOf(to.address);
  const outside = family === 'ipv4' ? OUTSIDE_ADDRESS : OUTSIDE_ADDRESS_V6;
  // The reply comes from the port the container connected to; the container's own port is not known.
  const fields = {
    family,
    saddr: outside,
    daddr: to.address,
    protocol: transport.protocol,
    sport: transport.port,
    ctState: 'established' as const,
    bridged: false,
    daddrLocal: false,
  };
  const into = uplink === undefined ? {} : { iif: uplink };
  return {
    kind: 'reply-from-outside',
    description: `replies from ${outside} to ${to.address} on ${to.bridge} (${transport.protocol} from port ${transport.port})`,
    steps: [
      packet('prerouting', 'ip', { ...fields, ...into }),
      packet('forward', 'ip', { ...fields, ...into, oif: to.bridge }),
      packet('postrouting', 'ip', { ...fields, oif: to.bridge }),
      ...outOfHostToBridge(to.bridge, fields),
    ],
  };
}

/**
 * A new connection from the outside to a port a container publishes, after the host's DNAT rule turned its
 * destination into the container's address and port (conntrack status: dnat).
 */
export function publishedPortPath(
  to: Endpoint,
  containerPort: Transport,
  uplink: string | undefined,
  hostPort?: number,
): TrafficPath {
  const family = familyOf(to.address);
  const outside = family === 'ipv4' ? OUTSIDE_ADDRESS : OUTSIDE_ADDRESS_V6;
  const fields = {
    family,
    saddr: outside,
    daddr: to.address,
    protocol: containerPort.protocol,
    dport: containerPort.port,
    ctState: 'new' as const,
    ctStatus: ['dnat'],
    bridged: false,
    daddrLocal: false,
  };
  const into = uplink === undefined ? {} : { iif: uplink };
  const published = hostPort === undefined ? '' : `host port ${hostPort} → `;
  return {
    kind: 'published-port',
    description: `from ${outside} through ${uplink ?? 'the uplink'} to the published port (${published}${to.address}:${containerPort.port}/${containerPort.protocol}) on ${to.bridge}`,
    steps: [
      packet('forward', 'ip', { ...fields, ...into, oif: to.bridge }),
      packet('postrouting', 'ip', { ...fields, oif: to.bridge }),
      ...outOfHostToBridge(to.bridge, fields),
    ],
  };
}

/**
 * A new connection from the outside to a port of the host itself, through the uplink: what a host firewall
 * (ufw's "deny incoming") decides for a service of the host on that port.
 */
export function hostPortPath(uplink: string | undefined, service: Transport, hostAddress?: string): TrafficPath {
  const fields = {
    family: 'ipv4' as const,
    saddr: OUTSIDE_ADDRESS,
    ...(hostAddress !== undefined ? { daddr: hostAddress } : {}),
    protocol: service.protocol,
    dport: service.port,
    ctState: 'new' as const,
    bridged: false,
    daddrLocal: true,
  };
  const into = uplink === undefined ? {} : { iif: uplink };
  return {
    kind: 'host-port',
    description: `from ${OUTSIDE_ADDRESS} through ${uplink ?? 'the uplink'} to port ${service.port}/${service.protocol} of the host`,
    steps: [packet('input', 'ip', { ...fields, ...into })],
  };
}

/** A container's DNS query to the server on its network's gateway, which is an address of the host itself. */
export function dnsToGatewayPath(from: Endpoint, gateway: string, protocol: 'udp' | 'tcp' = 'udp'): TrafficPath {
  const fields = {
    family: familyOf(from.address),
    saddr: from.address,
    daddr: gateway,
    protocol,
    dport: 53,
    ctState: 'new' as const,
    bridged: false,
    daddrLocal: true,
  };
  return {
    kind: 'dns-to-gateway',
    description: `DNS queries from ${from.address} to ${gateway}:53/${protocol} on bridge ${from.bridge}`,
    steps: [
      ...intoHostFromBridge(from.bridge, fields),
      packet('prerouting', 'ip', { ...fields, iif: from.bridge }),
      packet('input', 'ip', { ...fields, iif: from.bridge }),
    ],
  };
}

/** A new connection from a container (or a namespace) to a service of the host at one of its addresses. */
export function toHostPath(from: Endpoint, hostAddress: string, transport: Transport = WEB): TrafficPath {
  const fields = {
    family: familyOf(from.address),
    saddr: from.address,
    daddr: hostAddress,
    protocol: transport.protocol,
    dport: transport.port,
    ctState: 'new' as const,
    bridged: false,
    daddrLocal: true,
  };
  return {
    kind: 'to-host',
    description: `from ${from.address} on ${from.bridge} to the host's ${hostAddress} (${describeTransport(transport)})`,
    steps: [
      ...intoHostFromBridge(from.bridge, fields),
      packet('prerouting', 'ip', { ...fields, iif: from.bridge }),
      packet('input', 'ip', { ...fields, iif: from.bridge }),
    ],
  };
}

/**
 * A frame from a container to the host (the bridge's own address or a route through it): bridge prerouting and input.
 */
function intoHostFromBridge(bridge: string, fields: Omit<Packet, 'hook' | 'layer'>): Packet[] {
  const frame = { ...fields, inBridge: bridge };
  return [packet('prerouting', 'bridge', frame), packet('input', 'bridge', frame)];
}

/** A frame the host sends into a bridge towards a container: bridge output and postrouting. */
function outOfHostToBridge(bridge: string, fields: Omit<Packet, 'hook' | 'layer'>): Packet[] {
  const frame = { ...fields, iif: undefined, oif: undefined, outBridge: bridge };
  return [packet('output', 'bridge', frame), packet('postrouting', 'bridge', frame)];
}

/** Runs a path hook by hook: a drop at any hook ends it; an undecidable hook leaves the verdict open. */
export function evaluatePath(model: FirewallModel, path: TrafficPath): PathEvaluation {
  const steps: Evaluation[] = [];
  let unknown: Evaluation | undefined;
  for (const step of path.steps) {
    const evaluation = evaluate(model, step);
    steps.push(evaluation);
    if (evaluation.verdict === 'drop') {
      return { path, verdict: 'drop', decidedBy: evaluation.decidedBy, uncertain: evaluation.uncertain, steps };
    }
    if (evaluation.verdict === 'unknown') unknown ??= evaluation;
  }
  if (unknown) {
    const result: PathEvaluation = {
      path,
      verdict: 'unknown',
      decidedBy: unknown.decidedBy,
      uncertain: unknown.uncertain,
      steps,
    };
    if (unknown.possibleDrop) result.possibleDrop = unknown.possibleDrop;
    return result;
  }
  // The filtering hook (forward, or input for the host's own services) says most about why it passes.
  const decided = [...steps].reverse().filter((step) => step.decidedBy !== null);
  const filtering =
    decided.find(
      (step) => step.packet.layer === 'ip' && (step.packet.hook === 'forward' || step.packet.hook === 'input'),
    ) ?? decided[0];
  return { path, verdict: 'accept', decidedBy: filtering?.decidedBy ?? null, uncertain: [], steps };
}
