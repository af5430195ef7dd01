import type { Scenario } from '../scenario.js';
import aardvarkKilled from './p2-aardvark-killed.js';
import cniDnsmasqKilled from './p2-cni-dnsmasq-killed.js';
import dockerIcc from './p2-docker-icc.js';
import dockerIptablesOff from './p2-docker-iptables-off.js';
import internalNetwork from './p2-internal-network.js';
import kernelModulesMissing from './kernel-modules-missing.js';
import mtuUplink from './p2-mtu-uplink.js';
import port53Gateway from './p2-port53-gateway.js';
import resolverLoopback from './p2-resolver-loopback.js';
import rootlessModulesNotPreloaded from './rootless-modules-not-preloaded.js';
import rootlessPrivilegedPort from './p2-rootless-privileged-port.js';
import subnetOverlap from './p2-subnet-overlap.js';

/** Part 2 host scenarios (not the firewall's), one at a time; the two in the lab guest last. */
export const P2_HOST_SCENARIOS: readonly Scenario[] = [
  resolverLoopback,
  port53Gateway,
  cniDnsmasqKilled,
  aardvarkKilled,
  dockerIcc,
  subnetOverlap,
  internalNetwork,
  mtuUplink,
  rootlessPrivilegedPort,
  dockerIptablesOff,
  kernelModulesMissing,
  rootlessModulesNotPreloaded,
];
