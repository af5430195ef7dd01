import type { Container, ContainerAttachment, ContainerNetwork } from '../facts/model.js';
import type { Endpoint } from '../netfilter/paths.js';
import type { FoundContainer } from './locate.js';
import type { EndpointNetwork, PairEndpoint, PathKind } from '../core/pair.js';

/** What the engines say about the way from A to B, before any probe. */
/** The ways between two containers (the other kinds lead to a namespace, the host or an address: route.ts). */
export type ContainerPathKind = Exclude<PathKind, 'to-host' | 'to-address'>;

export interface PathPlan {
  kind: ContainerPathKind;
  description: string;
  /** Same engine, same scope, same user: the only case in which networks and names can be shared. */
  sameOwner: boolean;
  /** The address of B that A's probes aim at. */
  target?: string;
  /** The network both are attached to (shared-network). */
  network?: ContainerNetwork;
  /** How A finds B by name on this path: its network's DNS, no DNS, or not needed (one namespace). */
  names: 'dns' | 'no_dns' | 'not_needed' | 'not_served' | 'unknown';
  /** The host bridges a routed path crosses, for the forwarding check. */
  routedBridges: string[];
  /** Both ends on rootful bridges: the path crosses the host's own firewall, which the model can evaluate. */
  bridges?: { from: Endpoint; to: Endpoint };
  /** A rootless end: its bridges and rules live in a user's rootless network namespace, not the host's. */
  rootless: boolean;
}

/** Networks of an engine and scope, by name; undefined when they could not be listed. */
export type NetworkLookup = (container: Container, name: string) => ContainerNetwork | undefined;

/** Docker calls its default bridge mode "default". */
function mode(container: Container): string {
  return container.networkMode === 'default' ? 'bridge' : container.networkMode;
}

function joinedContainer(container: Container): string | undefined {
  const networkMode = mode(container);
  return networkMode.startsWith('container:') ? networkMode.slice('container:'.length) : undefined;
}

function isContainer(reference: string, container: Container): boolean {
  return reference === container.name || (reference.length >= 12 && container.id.startsWith(reference));
}

/** Why A and B share one network namespace, or undefined. */
function sharedNamespace(a: FoundContainer, b: FoundContainer): string | undefined {
  if (mode(a.container) === 'host' && mode(b.container) === 'host') return "both use the host's network namespace";
  if (!sameOwner(a, b)) return undefined;
  if (a.pod !== undefined && a.pod === b.pod) return `both are in pod ${a.pod.slice(0, 12)}`;
  const aJoins = joinedContainer(a.container);
  const bJoins = joinedContainer(b.container);
  if (aJoins !== undefined && isContainer(aJoins, b.container))
    return `${a.container.name} uses the network namespace of ${b.container.name} (--network container:)`;
  if (bJoins !== undefined && isContainer(bJoins, a.container))
    return `${b.container.name} uses the network namespace of ${a.container.name} (--network container:)`;
  if (aJoins !== undefined && aJoins === bJoins)
    return `both use the network namespace of container ${aJoins.slice(0, 12)}`;
  return undefined;
}

export function sameOwner(a: FoundContainer, b: FoundContainer): boolean {
  return a.container.engine === b.container.engine && a.container.scope === b.container.scope && a.user === b.user;
}

function addressed(container: Container): ContainerAttachment | undefined {
  return container.networks.find((attachment) => attachment.ipAddress !== undefined);
}

function bridgesOf(container: Container, networks: NetworkLookup): string[] {
  return container.networks.flatMap((attachment) => networks(container, attachment.network)?.bridge ?? []);
}

/** Where a container's network lives, for sentences: "ndwhy-front", "its own slirp4netns network". */
export function networkNames(container: Container): string {
  const names = container.networks.map((attachment) => attachment.network);
  if (names.length > 0) return names.join(', ');
  const networkMode = mode(container);
  if (networkMode === 'host') return "the host's network";
  if (networkMode === 'slirp4netns' || networkMode === 'pasta') return `its own ${networkMode} network`;
  return `no network (network mode ${networkMode || 'none'})`;
}

export function planPath(a: FoundContainer, b: FoundContainer, networks: NetworkLookup): PathPlan {
  // The host's network belongs to no engine: a container on it is the host, whoever started it.
  const owner = sameOwner(a, b) || mode(a.container) === 'host' || mode(b.container) === 'host';
  const rootless = a.container.scope === 'rootless' || b.container.scope === 'rootless';
  const base = { sameOwner: owner, routedBridges: [] as string[], rootless };
  const namespace = sharedNamespace(a, b);
  if (namespace !== undefined)
    return {
      ...base,
      kind: 'shared-namespace',
      description: `${namespace}: B is at localhost`,
      target: '127.0.0.1',
      names: 'not_needed',
    };

  if (owner) {
    const shared = a.container.networks
      .map((attachment) => b.container.networks.find((candidate) => candidate.network === attachment.network))
      .filter((attachment): attachment is ContainerAttachment => attachment !== undefined);
    // With several shared networks, the one with DNS is the one a lookup of B's name goes through.
    const preferred = shared.find((attachment) => networks(b.container, attachment.network)?.dnsEnabled) ?? shared[0];
    if (preferred !== undefined) {
      const network = networks(b.container, preferred.network);
      const plan: PathPlan = {
        ...base,
        kind: 'shared-network',
        description: `both are on network ${preferred.network}`,
        names: network === undefined ? 'unknown' : network.dnsEnabled ? 'dns' : 'no_dns',
      };
      if (preferred.ipAddress !== undefined) plan.target = preferred.ipAddress;
      if (network !== undefined) plan.network = network;
      const from = a.container.networks.find((attachment) => attachment.network === preferred.network)?.ipAddress;
      if (!rootless && network?.bridge !== undefined && from !== undefined && preferred.ipAddress !== undefined) {
        plan.bridges = {
          from: { address: from, bridge: network.bridge },
          to: { address: preferred.ipAddress, bridge: network.bridge },
        };
      }
      return plan;
    }
  }

  const rootful = a.container.scope === 'rootful' && b.container.scope === 'rootful';
  const bAddress = addressed(b.container);
  if (mode(a.container) === 'host' && bAddress?.ipAddress !== undefined && b.container.scope === 'rootful') {
    return {
      ...base,
      kind: 'host-network',
      description: `${a.container.name} uses the host's network, from which ${b.container.name}'s bridge address is reachable`,
      target: bAddress.ipAddress,
      names: 'not_served',
    };
  }
  const aGateway = addressed(a.container)?.gateway;
  if (mode(b.container) === 'host' && aGateway !== undefined && a.container.scope === 'rootful') {
    return {
      ...base,
      kind: 'host-network',
      description: `${b.container.name} uses the host's network, reachable from ${a.container.name} at its gateway ${aGateway}`,
      target: aGateway,
      names: 'not_served',
    };
  }
  // Rootful bridges are the host's own interfaces: the host routes between them. A rootless container's traffic
  // leaves through the host too, so it reaches rootful addresses the same way; a rootless address is reachable
  // only inside its user's namespace.
  const aCanLeave = addressed(a.container) !== undefined || ['slirp4netns', 'pasta'].includes(mode(a.container));
  if (
    bAddress?.ipAddress !== undefined &&
    aCanLeave &&
    (b.container.scope === 'rootful' || (owner && a.container.scope === 'rootless'))
  ) {
    const router = rootful || b.container.scope === 'rootful' ? 'the host' : `${a.user}'s rootless network namespace`;
    const plan: PathPlan = {
      ...base,
      kind: 'routed',
      description: `no shared network: ${router} routes to ${b.container.name}'s address ${bAddress.ipAddress}, by address only`,
      target: bAddress.ipAddress,
      names: 'not_served',
      routedBridges: rootful
        ? [...new Set([...bridgesOf(a.container, networks), ...bridgesOf(b.container, networks)])]
        : [],
    };
    const from = a.container.networks.find(
      (attachment) =>
        attachment.ipAddress !== undefined && networks(a.container, attachment.network)?.bridge !== undefined,
    );
    const toBridge = networks(b.container, bAddress.network)?.bridge;
    if (rootful && from?.ipAddress !== undefined && toBridge !== undefined) {
      plan.bridges = {
        from: { address: from.ipAddress, bridge: networks(a.container, from.network)!.bridge! },
        to: { address: bAddress.ipAddress, bridge: toBridge },
      };
    }
    return plan;
  }
  return {
    ...base,
    kind: 'none',
    description: `no shared network and no address of ${b.container.name} that ${a.container.name} can be routed to`,
    names: 'not_served',
  };
}

export function endpointOf(found: FoundContainer, networks: NetworkLookup): PairEndpoint {
  const { container } = found;
  const endpoint: PairEndpoint = {
    reference: found.reference,
    found: true,
    engine: container.engine,
    scope: container.scope,
    user: found.user,
    id: container.id,
    name: container.name,
    state: container.state,
    running: container.running,
    networkMode: mode(container),
    networks: container.networks.map((attachment) => {
      const network: EndpointNetwork = { name: attachment.network };
      if (attachment.ipAddress !== undefined) network.address = attachment.ipAddress;
      if (attachment.gateway !== undefined) network.gateway = attachment.gateway;
      const details = networks(container, attachment.network);
      if (details !== undefined) network.dns = details.dnsEnabled;
      return network;
    }),
  };
  if (container.pid !== undefined) endpoint.pid = container.pid;
  if (found.pod !== undefined) endpoint.pod = found.pod;
  return endpoint;
}
