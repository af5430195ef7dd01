import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import {
  cidrContains,
  describeRoute,
  hostLinks,
  hostRoutes,
  parseCidr,
  type Link,
  type Route,
} from '../../src/facts/ip.js';
import { runningMembers } from '../../src/facts/network-members.js';
import type { ContainerNetwork } from '../../src/facts/model.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

/** What bridges and veths get when nobody sets an MTU (docker, netavark and CNI alike). */
const DEFAULT_MTU = 1500;
const MTU_OPTIONS = ['mtu', 'com.docker.network.driver.mtu'];
const MSS_CLAMP = 'iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu';

interface Uplink {
  route: Route;
  link: Link;
  mtu: number;
  family: 4 | 6;
}

function routeFamily(route: Route): 4 | 6 | undefined {
  if (route.dst === 'default') return route.gateway?.includes(':') ? 6 : 4;
  return parseCidr(route.dst)?.family;
}

const IPV6_LINK_LOCAL = parseCidr('fe80::/10');

/**
 * The MTU containers on this network send with: the configured one, else the bridge's (the smallest of its ports'),
 * else the default.
 */
function networkMtu(network: ContainerNetwork, links: Map<string, Link>): { mtu: number; source: string } {
  for (const option of MTU_OPTIONS) {
    const value = Number(network.options[option]);
    if (Number.isInteger(value) && value > 0) return { mtu: value, source: `option ${option}=${value}` };
  }
  const bridge = network.bridge === undefined ? undefined : links.get(network.bridge);
  if (bridge !== undefined) return { mtu: bridge.mtu, source: `bridge ${bridge.name} mtu ${bridge.mtu}` };
  return { mtu: DEFAULT_MTU, source: `no mtu option: the default ${DEFAULT_MTU}` };
}

const FINDINGS = {
  'mtu.exceeds_path_mtu': {
    severity: 'warning',
    title: "A container network's MTU is larger than an uplink's",
    explanation:
      'Containers on this network send packets as large as the network\'s MTU, but the host forwards their traffic out through an interface (a VPN, a tunnel, a PPPoE link) with a smaller MTU. Small packets pass, so DNS, ping and TCP handshakes work; large packets need ICMP "fragmentation needed" to come back, which tunnels and firewalls often lose, and then TLS handshakes, git clone, package downloads and large HTTP responses hang from containers while they work from the host.',
    cause:
      'Bridges and veths default to MTU 1500 (docker stopped inferring the host MTU in 1.10; netavark and CNI use 1500 unless the mtu option is set), while VPNs (WireGuard 1420, OpenVPN 1400), VXLAN clouds (1450) and PPPoE (1492) have less.',
    fix: 'Create the network with an MTU that fits the smallest uplink (podman: --opt mtu=N; docker: -o com.docker.network.driver.mtu=N, daemon.json "mtu" for the default bridge), or clamp TCP MSS to the path MTU on the host.',
    docs: 'https://github.com/moby/moby/issues/20178',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'mtu.path-mtu',
  title: 'Container network MTU against the uplinks',
  findings: FINDINGS,
  docs: 'https://github.com/moby/moby/issues/20178',
  async run({ facts }) {
    if (facts.host.context.uid !== 0)
      return notApplicable(
        'rootless networks leave the host through slirp4netns, which re-segments their traffic to fit the uplink; rootful networks are diagnosed as root',
      );
    const bridges = await facts.get(rootfulBridgeNetworks);
    const routed = bridges.networks.filter((network) => !network.internal);
    if (routed.length === 0)
      return bridges.unknown.length > 0
        ? cannotDecide(bridges.unknown.join('; '))
        : notApplicable('no rootful bridge network with a way out');
    const [routes, links] = await Promise.all([facts.get(hostRoutes), facts.get(hostLinks)]);
    if (!routes.ok) return cannotDecide(routes.reason);
    if (!links.ok) return cannotDecide(links.reason);
    const linkByName = new Map(links.value.items.map((link) => [link.name, link]));
    const containerBridges = new Set(bridges.networks.flatMap((network) => network.bridge ?? []));
    // Every route out of the host that container traffic can take: the default route, VPN and LAN routes, in any table.
    const uplinks: Uplink[] = routes.value.items.flatMap((route) => {
      const link = route.dev === undefined ? undefined : linkByName.get(route.dev);
      if (link === undefined || route.type !== 'unicast' || route.table === 'local' || !link.up) return [];
      if (link.name === 'lo') return [];
      if (containerBridges.has(link.name) || (link.master !== undefined && containerBridges.has(link.master)))
        return [];
      const family = routeFamily(route);
      const destination = parseCidr(route.dst);
      if (
        family === undefined ||
        (destination !== undefined && IPV6_LINK_LOCAL !== undefined && cidrContains(IPV6_LINK_LOCAL, destination))
      )
        return [];
      return [{ route, link, family, mtu: Math.min(link.mtu, route.mtu ?? link.mtu) }];
    });
    if (uplinks.length === 0) return notApplicable('the host has no route out other than container bridges');
    const affected: { network: ContainerNetwork; mtu: number; source: string; smaller: Uplink[]; members: string[] }[] =
      [];
    for (const network of routed) {
      const { mtu, source } = networkMtu(network, linkByName);
      const families = new Set(network.subnets.flatMap((subnet) => parseCidr(subnet.subnet)?.family ?? []));
      const smaller = uplinks.filter((uplink) => families.has(uplink.family) && uplink.mtu < mtu);
      if (smaller.length > 0)
        affected.push({ network, mtu, source, smaller, members: await runningMembers(facts, network) });
    }
    const summary = `uplinks: ${[...new Set(uplinks.map((uplink) => `${uplink.link.name} ${uplink.mtu}`))].join(', ')}; networks: ${routed.map((network) => `${network.engine}/${network.name} ${networkMtu(network, linkByName).mtu}`).join(', ')}`;
    const [example] = affected;
    if (example === undefined) return verdict([], summary, bridges.unknown);
    const largest = Math.max(...affected.map((entry) => entry.mtu));
    const smaller = [...new Set(affected.flatMap((entry) => entry.smaller))];
    const smallest = Math.min(...smaller.map((uplink) => uplink.mtu));
    const uplinkNames = [
      ...new Set(smaller.filter((uplink) => uplink.mtu === smallest).map((uplink) => uplink.link.name)),
    ];
    const names = affected.map(({ network }) => network.name);
    const mtuFinding = finding('mtu.exceeds_path_mtu', {
      subject:
        affected.length === 1
          ? { engine: example.network.engine, scope: example.network.scope, network: example.network.name }
          : { network: names.join(', ') },
      title: `Container networks send up to ${largest}-byte packets; ${uplinkNames.join(', ')} ${uplinkNames.length > 1 ? 'carry' : 'carries'} only ${smallest}`,
      detail: `Networks: ${affected.map((entry) => `${entry.network.engine}/${entry.network.name} (mtu ${entry.mtu})`).join(', ')}. Routes out with a smaller MTU: ${smaller.map((uplink) => `${describeRoute(uplink.route)} (mtu ${uplink.mtu})`).join('; ')}.`,
      evidence: [
        ...affected.map(({ network, source }) => ({
          source: 'command' as const,
          what: `${network.engine} network inspect ${network.name}`,
          excerpt: source,
        })),
        {
          source: 'command',
          what: links.value.command,
          excerpt: [...new Map(smaller.map((uplink) => [uplink.link.name, uplink.link])).values()]
            .map((link) => `${link.name}${link.kind ? ` (${link.kind})` : ''} mtu ${link.mtu}`)
            .join('\n'),
        },
        {
          source: 'command',
          what: routes.value.command,
          excerpt: smaller.map((uplink) => describeRoute(uplink.route)).join('\n'),
        },
      ],
      fix: {
        // An unused default network is left as it is: nothing to move, and it cannot be removed.
        commands: affected
          .filter(({ network, members }) => !network.isDefault || members.length > 0)
          .flatMap(({ network, members }) => {
            const option =
              network.engine === 'docker' ? `-o com.docker.network.driver.mtu=${smallest}` : `--opt mtu=${smallest}`;
            const moved = `${network.name}-mtu${smallest}`;
            return [
              `${network.engine} network create ${option} ${moved}`,
              ...members.flatMap((name) => [
                `${network.engine} network connect ${moved} ${name}`,
                `${network.engine} network disconnect ${network.name} ${name}`,
              ]),
              // A default network stays: containers started without --network land on it.
              ...(network.isDefault ? [] : [`${network.engine} network rm ${network.name}`]),
            ];
          }),
        summary: `Move the containers to networks whose MTU fits the smallest uplink (${smallest}) and remove the old networks; for docker's default bridge set "mtu": ${smallest} in daemon.json and restart dockerd. Or clamp the TCP MSS of forwarded connections to the path MTU (${MSS_CLAMP}): that fixes TCP for every network, but this check does not read firewall rules and keeps reporting the networks.`,
      },
    });
    return verdict([mtuFinding], summary, bridges.unknown);
  },
} satisfies Check;
