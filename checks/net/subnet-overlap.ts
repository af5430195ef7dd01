import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import type { Facts } from '../../src/core/facts.js';
import {
  cidrsOverlap,
  describeRoute,
  freeSubnet,
  hostRoutes,
  parseCidr,
  type Cidr,
  type Route,
} from '../../src/facts/ip.js';
import type { ContainerNetwork } from '../../src/facts/model.js';
import { runningMembers } from '../../src/facts/network-members.js';
import { podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

/** Route types that carry no traffic of their own: an address inside the subnet shows as a local route. */
const IGNORED_ROUTE_TYPES = ['broadcast', 'multicast', 'anycast'];

interface Overlap {
  subnet: Cidr;
  routes: Route[];
}

async function networksToCheck(
  facts: Facts,
): Promise<{ networks: ContainerNetwork[]; unknown: string[] } | { skip: string }> {
  if (facts.host.context.uid === 0) {
    const rootful = await facts.get(rootfulBridgeNetworks);
    return { networks: rootful.networks, unknown: rootful.unknown };
  }
  const podman = await facts.get(podmanState);
  if (podman.kind !== 'ok' || podman.scope !== 'rootless')
    return { skip: 'not root, and no rootless podman for this user: rootful networks are diagnosed as root' };
  const listing = await facts.get(podmanNetworks);
  if (!listing.ok) return { networks: [], unknown: [listing.reason] };
  // The default network is used only with --network podman; rootless containers default to slirp4netns.
  return {
    networks: listing.items.filter((network) => network.driver === 'bridge' && !network.isDefault),
    unknown: [],
  };
}

const FINDINGS = {
  'net.subnet_overlaps_host_route': {
    severity: 'error',
    title: "A container network's subnet overlaps a host route",
    explanation:
      "The host has a route or address for part of a container network's subnet on an interface that is not the network's bridge (a VPN, the LAN, another engine's network). The kernel sends each packet by the most specific route, so traffic to those addresses goes one way and never the other: containers cannot reach the hosts behind the other route, or replies for some containers leave through the wrong interface and never reach them.",
    cause:
      "Engines choose a free subnet when a network is created; podman looks only at the addresses of interfaces that are up at that moment, not at routes, so a network created before a VPN connected, or while another engine's bridge was down, can overlap.",
    fix: "Move the container network to a subnet that nothing else uses (recreate it with --subnet, and set the engines' default address pools so that new networks avoid it), or remove the other route if it is stale.",
    docs: 'https://docs.docker.com/engine/network/#ip-address-and-hostname',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'net.subnet-overlap',
  title: 'Container subnets that collide with host routes',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/network/#ip-address-and-hostname',
  async run({ facts }) {
    const selection = await networksToCheck(facts);
    if ('skip' in selection) return notApplicable(selection.skip);
    const { networks, unknown } = selection;
    if (networks.length === 0)
      return unknown.length > 0 ? cannotDecide(unknown.join('; ')) : notApplicable('no container bridge network');
    const routes = await facts.get(hostRoutes);
    if (!routes.ok) return cannotDecide(routes.reason);
    const candidates = routes.value.items.filter(
      (route) => route.dst !== 'default' && !IGNORED_ROUTE_TYPES.includes(route.type),
    );
    const routePrefixes = candidates.map((route) => ({ route, cidr: parseCidr(route.dst) }));
    const allSubnets = networks.flatMap((network) =>
      network.subnets.flatMap((subnet) => parseCidr(subnet.subnet) ?? []),
    );
    const findings: Finding[] = [];
    for (const network of networks) {
      const overlaps: Overlap[] = network.subnets.flatMap((subnet) => {
        const cidr = parseCidr(subnet.subnet);
        if (cidr === undefined) return [];
        const hit = routePrefixes
          .filter(
            ({ route, cidr: prefix }) =>
              prefix !== undefined && route.dev !== network.bridge && cidrsOverlap(prefix, cidr),
          )
          .map(({ route }) => route);
        return hit.length > 0 ? [{ subnet: cidr, routes: hit }] : [];
      });
      if (overlaps.length === 0) continue;
      const cli = network.engine;
      const members = await runningMembers(facts, network);
      const taken = [...allSubnets, ...routePrefixes.flatMap(({ cidr }) => cidr ?? [])];
      const moved = `${network.name}-moved`;
      const newSubnet = overlaps
        .map((overlap) => freeSubnet(overlap.subnet, taken))
        .find((subnet) => subnet !== undefined);
      const routeList = overlaps.flatMap((overlap) =>
        overlap.routes.map((route) => `${overlap.subnet.text} overlaps ${describeRoute(route)}`),
      );
      findings.push(
        finding('net.subnet_overlaps_host_route', {
          subject: {
            engine: network.engine,
            scope: network.scope,
            network: network.name,
            containers: members,
            ...(network.bridge ? { interface: network.bridge } : {}),
          },
          title: `${network.engine} network "${network.name}" (${overlaps.map((overlap) => overlap.subnet.text).join(', ')}) overlaps ${overlaps.flatMap((overlap) => overlap.routes.map((route) => `${route.dst} on ${route.dev ?? 'no device'}`)).join(', ')}`,
          detail: `The network's bridge is ${network.bridge ?? 'not named'}; ${routeList.join('; ')}.${members.length > 0 ? ` Running containers on it: ${members.join(', ')}.` : ''}`,
          evidence: [
            {
              source: 'command',
              what: `${cli} network inspect ${network.name}`,
              excerpt: `subnets: ${network.subnets.map((subnet) => subnet.subnet).join(', ')}; bridge: ${network.bridge ?? 'none'}`,
            },
            {
              source: 'command',
              what: routes.value.command,
              excerpt: overlaps.flatMap((overlap) => overlap.routes.map(describeRoute)).join('\n'),
            },
          ],
          fix: {
            commands: [
              shellLine([cli, 'network', 'create', '--subnet', newSubnet ?? 'FREE_SUBNET', ...operands(moved)]),
              ...members.flatMap((name) => [
                shellLine([cli, 'network', 'connect', ...operands(moved, name)]),
                shellLine([cli, 'network', 'disconnect', ...operands(network.name, name)]),
              ]),
              shellLine([cli, 'network', 'rm', ...operands(network.name)]),
            ],
            summary: `Move the containers to a network on a subnet nothing else uses (${newSubnet ?? 'pick one'}), then remove "${network.name}"; or, if the other route is stale, delete it instead (${overlaps.flatMap((overlap) => overlap.routes.map((route) => shellLine(['ip', 'route', 'del', ...describeRoute(route).split(' ')]))).join('; ')}).`,
          },
        }),
      );
    }
    const summary = `${networks.length} network(s) against ${candidates.length} host route(s): ${findings.length} overlap(s)`;
    return verdict(findings, summary, unknown);
  },
} satisfies Check;
