import type { Check } from '../src/types.js';
import { PART2_FIREWALL_CHECKS } from './part2-firewall.js';
import { PART2_HOST_CHECKS } from './part2-host.js';
import unreachable from './engine/unreachable.js';
import ipForward from './host/ip-forward.js';
import iptablesBinary from './host/iptables-binary.js';
import backend from './podman/backend.js';
import aardvark from './podman/aardvark.js';
import dnsname from './cni/dnsname.js';
import dnsmasq from './cni/dnsmasq.js';
import defaultNetwork from './dns/default-network.js';
import pingNetRaw from './container/ping-net-raw.js';
import containerIp from './rootless/container-ip.js';
import slirp4netns from './rootless/slirp4netns.js';
import devNetTun from './rootless/dev-net-tun.js';
import pingGroupRange from './rootless/ping-group-range.js';

/** The built-in checks, in the order a report lists them. */
export const BUILTIN_CHECKS: readonly Check[] = [
  unreachable,
  ipForward,
  iptablesBinary,
  backend,
  aardvark,
  dnsname,
  dnsmasq,
  defaultNetwork,
  pingNetRaw,
  containerIp,
  slirp4netns,
  devNetTun,
  pingGroupRange,
  ...PART2_FIREWALL_CHECKS,
  ...PART2_HOST_CHECKS,
];
