import { handmadeInputs, segmentSubject } from '../../src/check-support/handmade.js';
import {
  defaultRouteOf,
  inSubnet,
  interfaceEvidence,
  ipv4Addresses,
  routesEvidence,
  segmentLabel,
} from '../../src/facts/netns.js';
import { describeRoute } from '../../src/facts/ip.js';
import { findingBuilder } from '../../src/core/finding.js';
import { verdict } from '../../src/core/outcome.js';
import { shellLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'netns.no_route': {
    severity: 'error',
    title: 'A hand-made network namespace has no route where its neighbours have one',
    explanation:
      'A namespace sends a packet only where a route points. Its address gives it a route to its own subnet, nothing more: without a default route through the gateway its neighbours on the same bridge use, it reaches its neighbours but not the host beyond its bridge, other subnets or the outside ("Network is unreachable").',
    cause:
      'The default route was never added in this namespace (`ip -n NAME route add default via GATEWAY`, the tutorial step done for one namespace and not the next), or it went away with its interface: a route dies when its device goes down or loses the address it was added for.',
    fix: 'Add the default route through the gateway the neighbours use.',
    docs: 'https://man7.org/linux/man-pages/man8/ip-route.8.html',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'netns.no-route',
  title: 'Hand-made network namespaces have the routes their neighbours have',
  findings: FINDINGS,
  docs: FINDINGS['netns.no_route'].docs,
  async run({ facts }) {
    const loaded = await handmadeInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { networks } = loaded;
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const segment of networks.segments) {
      const routed = segment.members.flatMap((member) => {
        const route = defaultRouteOf(member.view);
        return route?.gateway === undefined ? [] : [{ member, route, gateway: route.gateway }];
      });
      for (const member of segment.members) {
        const addresses = ipv4Addresses(member.inside);
        const own = defaultRouteOf(member.view);
        checked.push(`${member.namespace}: ${own ? describeRoute(own) : 'no default route'}`);
        // A link set down takes its routes with it: that is netns.veth_down, not a missing route.
        if (addresses.length === 0 || own !== undefined || !member.inside.adminUp) continue;
        // The neighbours' gateway, when it lies in this namespace's own subnet: reachable, and the way they go.
        const neighbour = routed.find(
          (other) => other.member !== member && addresses.some((address) => inSubnet(other.gateway, address)),
        );
        if (neighbour === undefined) continue;
        findings.push(
          finding('netns.no_route', {
            subject: segmentSubject(segment, [member.namespace], member.inside.name),
            title: `Namespace ${member.namespace} has no default route; ${neighbour.member.namespace} on ${segmentLabel(segment)} goes out via ${neighbour.gateway}`,
            detail: `${member.namespace} (${addresses.map((address) => `${address.address}/${address.prefix}`).join(', ')} on ${member.inside.name}) reaches only its own subnet; ${neighbour.member.namespace} has ${describeRoute(neighbour.route)}.`,
            evidence: [
              routesEvidence(member.view, member.namespace),
              interfaceEvidence(member.inside, member.namespace),
              routesEvidence(neighbour.member.view, neighbour.member.namespace),
            ],
            fix: {
              commands: [
                shellLine(['ip', '-n', member.namespace, 'route', 'add', 'default', 'via', neighbour.gateway]),
              ],
            },
          }),
        );
      }
    }
    const summary =
      checked.length > 0
        ? `routes of hand-made namespaces: ${checked.join('; ')}`
        : `${networks.namespaces.size} hand-made namespace(s), none on a bridge or veth of the host`;
    return verdict(findings, summary, networks.unreadable);
  },
} satisfies Check;
