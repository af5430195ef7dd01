import type { EngineName, Evidence, Scope } from './types.js';

/** One network a container is attached to, as its engine reports it. */
export interface EndpointNetwork {
  name: string;
  address?: string;
  gateway?: string;
  /** Whether the network has a name server for containers; absent when the network could not be inspected. */
  dns?: boolean;
}

/** What an end of `why` is: a container, a named network namespace, the host's own service, or an address. */
export type EndpointKind = 'container' | 'namespace' | 'host' | 'address';

/** Where one of the two ends lives, or why it could not be found. */
export interface PairEndpoint {
  /** What the user typed: a container's name or id (docker:NAME, podman:NAME),
   * netns:NAME, host[:PORT], ADDRESS[:PORT]. */
  reference: string;
  kind?: EndpointKind;
  found: boolean;
  /** The address probed, for the host and an address. */
  address?: string;
  /** The port given with host:PORT or ADDRESS:PORT. */
  port?: number;
  engine?: EngineName;
  scope?: Scope;
  /** The user whose engine runs it: root for docker and rootful podman. */
  user?: string;
  id?: string;
  name?: string;
  state?: string;
  running?: boolean;
  pid?: number;
  /** bridge, host, none, slirp4netns, container:<id>, a network name, ... */
  networkMode?: string;
  pod?: string;
  networks: EndpointNetwork[];
  /** Why it was not found, or where it was seen without being inspectable. */
  note?: string;
}

/**
 * How packets from A get to B:
 * - shared-namespace: one network namespace (pod, `container:` mode, both on the host's): B is at localhost;
 * - shared-network: both on one bridge network;
 * - host-network: A or B uses the host's namespace, the other sits on a rootful bridge;
 * - routed: no shared network, but both addresses live on this host's bridges, which the host routes between;
 * - to-host: B is a service of the host, reached at the host's address on A's bridge (or veth);
 * - to-address: B is an address beyond A's namespace, reached through A's routes and the host's;
 * - none: no way from A to B that netdoctor can probe.
 */
export type PathKind =
  'shared-namespace' | 'shared-network' | 'host-network' | 'routed' | 'to-host' | 'to-address' | 'none';

export type LinkStatus = 'ok' | 'broken' | 'warning' | 'unknown' | 'not_applicable';

/** One link of the evidence chain from A to B. */
export interface PathLink {
  id: string;
  title: string;
  status: LinkStatus;
  detail: string;
  evidence: Evidence[];
}

export type ProbeKind = 'listening' | 'icmp' | 'tcp' | 'hosts' | 'dns';

/** What one probe did and saw. */
export interface ProbeRecord {
  kind: ProbeKind;
  /** What was probed: an address, address:port, or a name. */
  target: string;
  /** A word per kind: open, refused, timeout, unreachable, reply, no_reply, not_permitted, resolved, nxdomain, ... */
  outcome: string;
  detail: string;
  /** The command line, or the file read. */
  command: string;
  durationMs: number;
}

export type FirewallEvaluation =
  { evaluated: false; reason: string } | { evaluated: true; verdict: string; decidedBy: string; trace: string[] };

export type PairOutcome = 'reachable' | 'unreachable' | 'undecided';

/** The `pair` section of a `netdoctor why A B` report. */
export interface PairSection {
  a: PairEndpoint;
  b: PairEndpoint;
  verdict: { outcome: PairOutcome; sentence: string };
  path: {
    kind: PathKind;
    description: string;
    /** The address of B that A's probes aim at. */
    target?: string;
    network?: string;
    ports: number[];
    portsFrom: 'option' | 'listening' | 'none';
  };
  links: PathLink[];
  probes: ProbeRecord[];
  firewall: FirewallEvaluation;
  /** The commands that repair the first broken link (the one the verdict names); netdoctor never runs them. */
  fix: string[];
}
