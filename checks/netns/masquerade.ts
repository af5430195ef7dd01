import { handmadeInputs, segmentSubject } from '../../src/check-support/handmade.js';
import { defaultRoute, firewallModel } from '../../src/facts/firewall.js';
import { masqueradeExpectation } from '../../src/facts/engine-rules.js';
import {
  ipv4Addresses,
  isPrivateIpv4,
  routedOut,
  routesEvidence,
  segmentLabel,
  subnetOf,
} from '../../src/facts/netns.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { shellLine } from '../../src/core/shell.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'netns.no_masquerade': {
    severity: 'error',
    title: 'A hand-made subnet is routed out without masquerading',
    explanation:
      "Namespaces on a hand-made bridge or veth send their traffic for the outside through the host, with their own private addresses as source. Nothing beyond the host has a route back to those addresses: unless the host rewrites the source to its own address on the way out (a MASQUERADE or SNAT rule in the nat table's POSTROUTING), the packets leave but no answer ever comes back. Container engines add this rule for their networks; a hand-made network needs its own.",
    cause:
      'The tutorial step `iptables -t nat -A POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE` was skipped, or the rule went away with a firewall reload (`iptables -t nat -F`, nftables.service with `flush ruleset`, a restore of saved rules that never held it).',
    fix: "Masquerade the subnet's traffic that leaves through any interface but its own bridge, and keep the rule where this host keeps its firewall rules.",
    docs: 'https://man7.org/linux/man-pages/man8/iptables-extensions.8.html',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'netns.masquerade',
  title: 'Hand-made subnets routed out are masqueraded',
  findings: FINDINGS,
  docs: FINDINGS['netns.no_masquerade'].docs,
  async run({ facts }) {
    const loaded = await handmadeInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { networks } = loaded;
    const outgoing = networks.segments.flatMap((segment) => {
      const routed = routedOut(segment);
      return routed.length === 0 ? [] : [{ segment, routed }];
    });
    if (outgoing.length === 0)
      return notApplicable('no hand-made namespace routes beyond its bridge or veth through the host');
    const [firewall, route] = await Promise.all([facts.get(firewallModel), facts.get(defaultRoute)]);
    if (!firewall.ok) return cannotDecide(firewall.reason);
    if (!route.ok) return cannotDecide(`the host's default route could not be read (${route.reason})`);
    if (route.interface === undefined)
      return notApplicable('the host has no default route: hand-made subnets are not routed out');
    const uplink = route.interface;
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const { segment, routed } of outgoing) {
      // One rule per subnet: the first namespace of each stands for the others.
      const subnets = new Map<string, { address: string; namespaces: string[]; evidence: Evidence[] }>();
      for (const { member } of routed) {
        for (const address of ipv4Addresses(member.inside).filter((candidate) => isPrivateIpv4(candidate.address))) {
          const subnet = subnetOf(address);
          const entry = subnets.get(subnet);
          if (entry) entry.namespaces.push(member.namespace);
          else
            subnets.set(subnet, {
              address: address.address,
              namespaces: [member.namespace],
              evidence: [routesEvidence(member.view, member.namespace)],
            });
        }
      }
      for (const [subnet, { address, namespaces, evidence }] of subnets) {
        const expectation = masqueradeExpectation(
          firewall.model,
          segment.host.name,
          address,
          `hand-made subnet ${subnet} on ${segmentLabel(segment)}`,
          uplink,
        );
        checked.push(`${subnet} on ${segment.host.name}: ${expectation.present ? 'masqueraded' : 'not masqueraded'}`);
        if (expectation.present) continue;
        findings.push(
          finding('netns.no_masquerade', {
            subject: segmentSubject(segment, namespaces),
            title: `Subnet ${subnet} of ${segmentLabel(segment)} is routed out through ${uplink} without masquerading`,
            detail: `Namespaces ${namespaces.join(', ')} send traffic for the outside through the host (default route via its address on ${segment.host.name}); no MASQUERADE or SNAT rule translates ${address} leaving through ${uplink}.`,
            evidence: [
              ...evidence,
              ...expectation.lookedAt.map((place) => ({
                source: 'command' as const,
                what: place.source,
                excerpt: `missing: ${expectation.description}\n${place.excerpt}`,
              })),
            ],
            fix: {
              commands: [
                shellLine([
                  'iptables',
                  '-t',
                  'nat',
                  '-A',
                  'POSTROUTING',
                  '-s',
                  subnet,
                  '!',
                  '-o',
                  segment.host.name,
                  '-j',
                  'MASQUERADE',
                ]),
              ],
            },
          }),
        );
      }
    }
    return verdict(
      findings,
      `hand-made subnets routed out through ${uplink}: ${checked.join('; ') || 'none with a private address'}`,
      [...networks.unreadable, ...firewall.limits],
    );
  },
} satisfies Check;
