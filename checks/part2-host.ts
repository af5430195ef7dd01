import type { Check } from '../src/types.js';
import hostResolverLoopback from './dns/host-resolver-loopback.js';
import port53Aardvark from './dns/port53-aardvark.js';
import dnsmasqRunning from './cni/dnsmasq-running.js';
import aardvarkRunning from './podman/aardvark-running.js';
import dockerIcc from './docker/icc.js';
import dockerIptablesMasq from './docker/iptables-masq.js';
import subnetOverlap from './net/subnet-overlap.js';
import internalNetwork from './net/internal.js';
import pathMtu from './mtu/path-mtu.js';
import netfilterModules from './kernel/netfilter-modules.js';
import privilegedPort from './rootless/privileged-port.js';
import netfilterPreload from './rootless/netfilter-preload.js';

/** Part 2 of the catalog, outside the firewall: DNS servers, Docker's switches, addressing, MTU, kernel. */
export const PART2_HOST_CHECKS: readonly Check[] = [
  hostResolverLoopback,
  port53Aardvark,
  dnsmasqRunning,
  aardvarkRunning,
  dockerIcc,
  dockerIptablesMasq,
  subnetOverlap,
  internalNetwork,
  pathMtu,
  netfilterModules,
  privilegedPort,
  netfilterPreload,
];
