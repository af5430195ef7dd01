import { dockerContainers, dockerNetworks, dockerState } from '../../src/facts/docker.js';
import { hostLinks, hostRoutes, parseCidr, cidrContains, type Link, type Route } from '../../src/facts/ip.js';
import { runningOn, type Container, type ContainerNetwork } from '../../src/facts/model.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { operands, shellLine } from '../../src/core/shell.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.docker.com/engine/network/drivers/macvlan/';
const DRIVERS = ['macvlan', 'ipvlan'];

const FINDINGS = {
  'net.macvlan_host_isolation': {
    severity: 'info',
    title: 'Containers on a macvlan or ipvlan network: the host cannot reach them over the parent interface',
    explanation:
      "A macvlan or ipvlan network gives each container its own address directly on the parent interface's segment, with no bridge and no NAT. The kernel never passes traffic between such an interface and its parent: other machines on the segment reach the containers, but the host itself cannot (nor can the containers reach the host's address on the parent). This is how these drivers are built, not a firewall or routing fault; no rule changes it.",
    cause:
      'The network was created with the macvlan or ipvlan driver (docker network create -d macvlan -o parent=..., podman network create -d macvlan -o parent=...) and the host has no interface of its own on the same parent.',
    fix: "If the host must reach the containers, give it a 'shim': a macvlan (or ipvlan) interface of its own on the same parent, with an address, and routes to the containers' addresses through it. Without that, reach them from another machine, or use a bridge network with published ports.",
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

/** The parent interface of a macvlan or ipvlan network, as each engine records it. */
function parentOf(network: ContainerNetwork): string | undefined {
  return network.engine === 'docker' ? network.options.parent : network.bridge;
}

/** A short name for the shim from the parent's: interface names have at most 15 characters. */
function shimName(parent: string): string {
  return `${parent.slice(0, 10)}-shim`;
}

/** The host's own IPv4 addresses on an interface, from the local routing table. */
function localAddresses(routes: Route[], dev: string): string[] {
  return routes
    .filter(
      (route) => route.table === 'local' && route.type === 'local' && route.dev === dev && !route.dst.includes(':'),
    )
    .map((route) => route.dst);
}

/** Whether a route of the main table sends this address through this interface. */
function routedThrough(routes: Route[], address: string, dev: string): boolean {
  const target = parseCidr(address);
  if (target === undefined) return false;
  return routes.some((route) => {
    if (route.table !== 'main' || route.dev !== dev || route.dst === 'default') return false;
    const prefix = parseCidr(route.dst);
    return prefix !== undefined && cidrContains(prefix, target);
  });
}

interface MacvlanNetwork {
  network: ContainerNetwork;
  parent: string;
  members: { name: string; address: string }[];
}

export default {
  id: 'net.macvlan',
  title: 'Host access to macvlan and ipvlan containers',
  findings: FINDINGS,
  docs: DOCS,
  async run({ facts }) {
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    const networks: ContainerNetwork[] = [];
    const containers: Container[] = [];
    const limits: string[] = [];
    if (docker.kind === 'ok') {
      const [listing, running] = await Promise.all([facts.get(dockerNetworks), facts.get(dockerContainers)]);
      if (listing.ok) networks.push(...listing.items);
      else limits.push(`docker networks: ${listing.reason}`);
      if (running.ok) containers.push(...running.items);
      else limits.push(`docker containers: ${running.reason}`);
    }
    // Rootless podman cannot create macvlan networks: only root's count.
    if (podman.kind === 'ok' && podman.scope === 'rootful') {
      const [listing, running] = await Promise.all([facts.get(podmanNetworks), facts.get(podmanContainers)]);
      if (listing.ok) networks.push(...listing.items);
      else limits.push(`podman networks: ${listing.reason}`);
      if (running.ok) containers.push(...running.items);
      else limits.push(`podman containers: ${running.reason}`);
    }
    const direct = networks.filter((network) => DRIVERS.includes(network.driver));
    if (direct.length === 0) {
      if (limits.length > 0) return cannotDecide(limits.join('; '));
      return notApplicable('no macvlan or ipvlan network');
    }
    const used: MacvlanNetwork[] = [];
    for (const network of direct) {
      const parent = parentOf(network);
      const members = runningOn(
        containers.filter((container) => container.engine === network.engine),
        [network.name],
      ).flatMap((container) => {
        const address = container.networks.find((attachment) => attachment.network === network.name)?.ipAddress;
        return address ? [{ name: container.name, address }] : [];
      });
      if (parent === undefined) limits.push(`${network.engine} network ${network.name} names no parent interface`);
      else if (members.length > 0) used.push({ network, parent, members });
    }
    if (used.length === 0)
      return verdict([], `${direct.length} macvlan/ipvlan network(s), no running container on them`, limits);
    const [links, routes] = await Promise.all([facts.get(hostLinks), facts.get(hostRoutes)]);
    if (!links.ok) return cannotDecide(links.reason);
    if (!routes.ok) return cannotDecide(routes.reason);
    const findings: Finding[] = [];
    const reached: string[] = [];
    for (const { network, parent, members } of used) {
      const kind = network.driver;
      const shims = links.value.items.filter((link: Link) => link.kind === kind && link.parent === parent && link.up);
      const unreachable = members.filter(
        (member) => !shims.some((shim) => routedThrough(routes.value.items, member.address, shim.name)),
      );
      if (unreachable.length === 0) {
        reached.push(`${network.name} through ${shims.map((shim) => shim.name).join(', ')}`);
        continue;
      }
      const hostAddresses = localAddresses(routes.value.items, parent);
      const shim = shims[0]?.name ?? shimName(parent);
      const evidence: Evidence[] = [
        {
          source: 'command',
          what: shellLine([network.engine, 'network', 'inspect', ...operands(network.name)]),
          excerpt: `driver ${kind}, parent ${parent}; subnets: ${network.subnets.map((subnet) => subnet.subnet).join(', ') || 'none'}`,
        },
        {
          source: 'command',
          what: links.value.command,
          excerpt:
            shims.length > 0
              ? `${shims.map((link) => `${link.name} (${kind} on ${parent})`).join(', ')}: no route to ${unreachable.map((member) => member.address).join(', ')} through it`
              : `no ${kind} interface of the host on ${parent}`,
        },
      ];
      const commands: string[] = [];
      if (shims.length === 0) {
        commands.push(
          shellLine(
            kind === 'ipvlan'
              ? ['ip', 'link', 'add', shim, 'link', parent, 'type', 'ipvlan', 'mode', 'l2']
              : ['ip', 'link', 'add', shim, 'link', parent, 'type', 'macvlan', 'mode', 'bridge'],
          ),
        );
        // The host's own address on the parent serves the shim too: no second address of the segment is taken.
        if (hostAddresses[0] !== undefined)
          commands.push(shellLine(['ip', 'addr', 'add', `${hostAddresses[0]}/32`, 'dev', shim]));
        commands.push(shellLine(['ip', 'link', 'set', shim, 'up']));
      }
      commands.push(
        ...unreachable.map((member) => shellLine(['ip', 'route', 'add', `${member.address}/32`, 'dev', shim])),
      );
      const names = members.map((member) => member.name);
      findings.push(
        finding('net.macvlan_host_isolation', {
          subject: {
            engine: network.engine,
            scope: network.scope,
            network: network.name,
            containers: names,
            interface: parent,
          },
          title: `The host cannot reach ${unreachable.map((member) => `${member.name} (${member.address})`).join(', ')} on ${kind} network "${network.name}" over ${parent}`,
          detail: `Containers on it: ${members.map((member) => `${member.name} ${member.address}`).join(', ')}.${hostAddresses.length === 0 ? ` ${parent} has no IPv4 address of the host: give the shim a free address of the segment before the routes.` : ''}`,
          evidence,
          fix: {
            commands,
            summary: `Only if the host must reach these containers: ${shims.length > 0 ? `route their addresses through the host's ${kind} interface ${shim}` : `add a ${kind} interface ${shim} on ${parent}${hostAddresses[0] ? ` with the host's own address ${hostAddresses[0]}` : ''} and route the containers' addresses through it`}. These commands do not survive a reboot: put them in the host's network configuration (a systemd-networkd .netdev/.network pair, or an ifupdown post-up) to keep them.`,
          },
        }),
      );
    }
    return verdict(
      findings,
      `${used.length} macvlan/ipvlan network(s) with running containers${reached.length > 0 ? `; reached: ${reached.join('; ')}` : ''}`,
      limits,
    );
  },
} satisfies Check;
