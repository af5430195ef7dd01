import { handmadeInputs, linkUpCommand, segmentSubject } from '../../src/check-support/handmade.js';
import {
  defaultRouteOf,
  inSubnet,
  interfaceEvidence,
  ipv4Addresses,
  routesEvidence,
  type InterfaceAddress,
  type SegmentMember,
} from '../../src/facts/netns.js';
import { describeRoute } from '../../src/facts/ip.js';
import { findingBuilder } from '../../src/core/finding.js';
import { verdict } from '../../src/core/outcome.js';
import { shellLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'netns.bridge_no_address': {
    severity: 'error',
    title: 'Hand-made namespaces route through an address their bridge does not have',
    explanation:
      'Namespaces on a hand-made bridge send everything beyond their subnet to their gateway, an address the host must hold on that bridge. When the bridge lacks that address, nobody answers the ARP request for it: the namespaces still reach each other across the bridge, but not the host, other subnets or the outside. When the bridge itself is down, they do not even reach each other.',
    cause:
      'The address was never added to the bridge (`ip addr add GATEWAY/PREFIX dev BRIDGE`, the tutorial step that makes the host the gateway), it was removed or flushed (`ip addr flush`, a network manager that manages the bridge), or the bridge was recreated or set down.',
    fix: 'Give the bridge the gateway address the namespaces use, with the prefix of their subnet, and set it up.',
    docs: 'https://man7.org/linux/man-pages/man8/ip-address.8.html',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

/** A gateway the members use, and the member address whose subnet it lies in (its prefix is the bridge's). */
interface UsedGateway {
  gateway: string;
  within: InterfaceAddress;
  members: SegmentMember[];
}

function usedGateways(members: readonly SegmentMember[]): UsedGateway[] {
  const used = new Map<string, UsedGateway>();
  for (const member of members) {
    const gateway = defaultRouteOf(member.view)?.gateway;
    const within =
      gateway === undefined ? undefined : ipv4Addresses(member.inside).find((address) => inSubnet(gateway, address));
    if (gateway === undefined || within === undefined) continue;
    const entry = used.get(gateway);
    if (entry) entry.members.push(member);
    else used.set(gateway, { gateway, within, members: [member] });
  }
  return [...used.values()];
}

export default {
  id: 'netns.bridge-address',
  title: 'Hand-made bridges hold the gateway address their namespaces use, and are up',
  findings: FINDINGS,
  docs: FINDINGS['netns.bridge_no_address'].docs,
  async run({ facts }) {
    const loaded = await handmadeInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { networks } = loaded;
    const findings: Finding[] = [];
    const checked: string[] = [];
    const hostAddresses = networks.host.interfaces.flatMap((item) => ipv4Addresses(item).map((a) => a.address));
    for (const segment of networks.segments.filter((candidate) => candidate.kind === 'bridge')) {
      const bridge = segment.host;
      const gateways = usedGateways(segment.members);
      const held = ipv4Addresses(bridge).map((address) => address.address);
      checked.push(
        `${bridge.name} (${bridge.adminUp ? 'up' : 'down'}, ${held.join(' ') || 'no address'}): gateway of its namespaces ${gateways.map((used) => used.gateway).join(', ') || 'none'}`,
      );
      if (segment.members.length === 0) continue;
      const namespaces = segment.members.map((member) => member.namespace);
      if (!bridge.adminUp) {
        findings.push(
          finding('netns.bridge_no_address', {
            subject: segmentSubject(segment, namespaces),
            title: `Bridge ${bridge.name} of namespaces ${namespaces.join(', ')} is down`,
            detail: 'A bridge that is down forwards nothing between its ports and holds no route to its subnet.',
            evidence: [interfaceEvidence(bridge)],
            fix: { commands: [linkUpCommand(bridge.name)] },
          }),
        );
        continue;
      }
      // An address the host holds on another interface still answers (the host owns it): only a missing one breaks.
      for (const used of gateways.filter((candidate) => !hostAddresses.includes(candidate.gateway))) {
        const users = used.members.map((member) => member.namespace);
        findings.push(
          finding('netns.bridge_no_address', {
            subject: segmentSubject(segment, users),
            title: `Bridge ${bridge.name} lacks ${used.gateway}, the gateway of namespaces ${users.join(', ')}`,
            detail: `${users.join(', ')} route through ${used.gateway} (${used.members.map((member) => `${member.namespace}: ${describeRoute(defaultRouteOf(member.view)!)}`).join('; ')}), but no interface of the host has that address; ${bridge.name} has ${held.join(', ') || 'no IPv4 address'}.`,
            evidence: [
              interfaceEvidence(bridge),
              ...used.members.map((member) => routesEvidence(member.view, member.namespace)),
            ],
            fix: {
              commands: [shellLine(['ip', 'addr', 'add', `${used.gateway}/${used.within.prefix}`, 'dev', bridge.name])],
            },
          }),
        );
      }
    }
    const summary =
      checked.length > 0 ? `hand-made bridges: ${checked.join('; ')}` : 'no bridge outside the container engines';
    return verdict(findings, summary, networks.unreadable);
  },
} satisfies Check;
