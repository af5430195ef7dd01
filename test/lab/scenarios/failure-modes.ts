import type { Scenario } from '../scenario.js';
import conntrackFull from './conntrack-full.js';
import dnsUpstreamDeadServer from './dns-upstream-dead-server.js';
import dnsUpstreamLoopbackDocker from './dns-upstream-loopback-docker.js';
import hostPortInUse from './host-port-in-use.js';
import hostPortInUseDocker from './host-port-in-use-docker.js';
import ipv6Forwarding from './ipv6-forwarding.js';
import macvlanHostIsolation from './macvlan-host-isolation.js';
import port53Dnsname from './port53-dnsname.js';
import rootlessNoLinger from './rootless-no-linger.js';
import rpFilterStrict from './rp-filter-strict.js';
import ufwPublishedPort from './ufw-published-port.js';

/**
 * The scenarios of the failure modes users hit most (catalog Part 6): on this host, then in the lab guest those
 * this host cannot produce (a conntrack table of a kernel of its own, ufw, systemd's linger).
 */
export const FAILURE_MODE_SCENARIOS: readonly Scenario[] = [
  ipv6Forwarding,
  hostPortInUse,
  hostPortInUseDocker,
  macvlanHostIsolation,
  rpFilterStrict,
  port53Dnsname,
  dnsUpstreamDeadServer,
  dnsUpstreamLoopbackDocker,
  conntrackFull,
  ufwPublishedPort,
  rootlessNoLinger,
];
