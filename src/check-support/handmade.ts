/** What the checks of hand-made networks share: their input, and how their findings name namespaces and links. */
import {
  handmadeNetworks,
  ipv4Addresses,
  subnetOf,
  type HandmadeNetworks,
  type HandmadeSegment,
} from '../facts/netns.js';
import { addressInSubnet } from '../netfilter/address.js';
import {
  replyFromOutsidePath,
  sameBridgePath,
  toOutsidePath,
  type Endpoint,
  type TrafficPath,
} from '../netfilter/paths.js';
import type { Facts } from '../core/facts.js';
import { cannotDecide, notApplicable } from '../core/outcome.js';
import { shellLine } from '../core/shell.js';
import type { Subject } from '../core/types.js';
import type { CheckOutcome } from '../core/check.js';

/** The hand-made networks, or the outcome of a check that has none to look at. */
export async function handmadeInputs(facts: Facts): Promise<{ skip: CheckOutcome } | { networks: HandmadeNetworks }> {
  const read = await facts.get(handmadeNetworks);
  if (!read.ok) return { skip: cannotDecide(read.reason) };
  const networks = read.value;
  if (networks.namespaces.size > 0) return { networks };
  const unread = networks.unreadable.filter((reason) => reason.startsWith('network namespace '));
  if (unread.length > 0) return { skip: cannotDecide(unread.join('; ')) };
  const containers =
    networks.containerNamespaces.length > 0
      ? ` (${networks.containerNamespaces.length} named namespace(s) belong to containers)`
      : '';
  return { skip: notApplicable(`no named network namespace outside the container engines${containers}`) };
}

/** The subject of a finding about namespaces on a segment: the bridge as the network, the interface at fault. */
export function segmentSubject(segment: HandmadeSegment | undefined, namespaces: string[], iface?: string): Subject {
  const subject: Subject = { namespaces: [...new Set(namespaces)] };
  if (segment?.kind === 'bridge') subject.network = segment.host.name;
  const named = iface ?? segment?.host.name;
  if (named !== undefined) subject.interface = named;
  return subject;
}

/** `ip [-n NAMESPACE] link set dev IFACE up`. */
export function linkUpCommand(iface: string, namespace?: string): string {
  return shellLine(['ip', ...(namespace === undefined ? [] : ['-n', namespace]), 'link', 'set', 'dev', iface, 'up']);
}

/**
 * Two ends on a hand-made bridge for the firewall model: the first namespace's address and a neighbour's, or
 * addresses of the bridge's own subnet when no namespace on it can be read (a VM's tap, LXC's veths).
 */
export function segmentEndpoints(segment: HandmadeSegment): { from: Endpoint; peer: Endpoint } | undefined {
  const bridge = segment.host.name;
  const addresses = segment.members.flatMap((member) => ipv4Addresses(member.inside).map((address) => address.address));
  const subnet = ipv4Addresses(segment.host)[0] ?? segment.members.flatMap((member) => ipv4Addresses(member.inside))[0];
  const fill = [2, 3, 4]
    .map((offset) => (subnet === undefined ? undefined : addressInSubnet(subnetOf(subnet), offset)))
    .filter((address): address is string => address !== undefined && address !== subnet?.address);
  const [from, peer] = [...new Set([...addresses, ...fill])];
  if (from === undefined) return undefined;
  return { from: { address: from, bridge }, peer: { address: peer ?? from, bridge } };
}

/** The forwarded traffic of a hand-made bridge, as an engine network's: between its ports, out, and replies. */
export function segmentPaths(
  segment: HandmadeSegment,
  uplink: string | undefined,
  bridgeNfCallIptables: boolean,
): TrafficPath[] {
  const ends = segmentEndpoints(segment);
  if (ends === undefined) return [];
  const paths = [sameBridgePath(ends.from, ends.peer, bridgeNfCallIptables)];
  // Without an address of its own the host routes nothing for the bridge: its traffic stays on it.
  if (ipv4Addresses(segment.host).length > 0)
    paths.push(toOutsidePath(ends.from, uplink), replyFromOutsidePath(ends.from, uplink));
  return paths;
}

/** Bridges no engine owns with a port that is up: traffic crosses them. */
export function bridgesInUse(networks: HandmadeNetworks): HandmadeSegment[] {
  return networks.segments.filter(
    (segment) =>
      segment.kind === 'bridge' &&
      segment.host.adminUp &&
      [...segment.members.map((member) => member.hostEnd), ...segment.otherPorts].some((port) => port.adminUp),
  );
}
