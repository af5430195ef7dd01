import type { Check } from '../src/core/check.js';
import type { PairCheck } from '../src/pair/check.js';
import aardvarkBinary from './aardvark/binary.js';
import aardvarkRunning from './aardvark/running.js';
import cniDnsmasqRunning from './cni/dnsmasq-running.js';
import cniDnsmasq from './cni/dnsmasq.js';
import cniDnsname from './cni/dnsname.js';
import ctrPingNetRaw from './ctr/ping-net-raw.js';
import dnsDefaultNetwork from './dns/default-network.js';
import dnsHostResolver from './dns/host-resolver.js';
import dnsPort53 from './dns/port53.js';
import dockerCliIsPodman from './docker/cli-is-podman.js';
import dockerDockerUser from './docker/docker-user.js';
import dockerForwardDropOtherBridges from './docker/forward-drop-other-bridges.js';
import dockerIcc from './docker/icc.js';
import dockerIptables from './docker/iptables.js';
import engineReachable from './engine/reachable.js';
import fwBrNetfilterForward from './fw/br-netfilter-forward.js';
import fwEngineRules from './fw/engine-rules.js';
import fwFirewalldZones from './fw/firewalld-zones.js';
import fwForeignForward from './fw/foreign-forward.js';
import fwInputDns from './fw/input-dns.js';
import fwIptablesBackend from './fw/iptables-backend.js';
import hostHandmadeForward from './host/handmade-forward.js';
import hostIpForward from './host/ip-forward.js';
import hostIptablesBinary from './host/iptables-binary.js';
import kernelNetfilterModules from './kernel/netfilter-modules.js';
import mixedDockerForwardPodmanIngress from './mixed/docker-forward-podman-ingress.js';
import mtuPathMtu from './mtu/path-mtu.js';
import netInternal from './net/internal.js';
import netnsBridgeAddress from './netns/bridge-address.js';
import netnsMasquerade from './netns/masquerade.js';
import netnsNoRoute from './netns/no-route.js';
import netnsVethDown from './netns/veth-down.js';
import netSubnetOverlap from './net/subnet-overlap.js';
import pairEngines from './pair/engines.js';
import pairHostService from './pair/host-service.js';
import pairIcmp from './pair/icmp.js';
import pairName from './pair/name.js';
import pairReachable from './pair/reachable.js';
import pairRouteReachable from './pair/route-reachable.js';
import pairRouteTcp from './pair/route-tcp.js';
import pairRunning from './pair/running.js';
import pairSharedNetwork from './pair/shared-network.js';
import pairTcp from './pair/tcp.js';
import podmanBackend from './podman/backend.js';
import podmanNetavarkAardvarkVersions from './podman/netavark-aardvark-versions.js';
import rootlessContainerIp from './rootless/container-ip.js';
import rootlessDevNetTun from './rootless/dev-net-tun.js';
import rootlessNetfilterPreload from './rootless/netfilter-preload.js';
import rootlessPasta from './rootless/pasta.js';
import rootlessPastaHostAddress from './rootless/pasta-host-address.js';
import rootlessPingGroupRange from './rootless/ping-group-range.js';
import rootlessPrivilegedPort from './rootless/privileged-port.js';
import rootlessSlirp4netns from './rootless/slirp4netns.js';
import netRpFilter from './net/rp-filter.js';
import netMacvlan from './net/macvlan.js';
import netHostPort from './net/host-port.js';
import netConntrack from './net/conntrack.js';
import hostWsl from './host/wsl.js';
import hostIpv6Forwarding from './host/ipv6-forwarding.js';
import dnsUpstream from './dns/upstream.js';
import dnsPort53Dnsname from './dns/port53-dnsname.js';
import rootlessLinger from './rootless/linger.js';
import fwUfw from './fw/ufw.js';

function byId<T extends { id: string }>(checks: T[]): readonly T[] {
  return checks.sort((left, right) => left.id.localeCompare(right.id));
}

/** The checks of the host diagnosis, sorted by id: `list` and the report follow this order. */
export const HOST_CHECKS: readonly Check[] = byId([
  aardvarkBinary,
  aardvarkRunning,
  cniDnsmasqRunning,
  cniDnsmasq,
  cniDnsname,
  ctrPingNetRaw,
  dnsDefaultNetwork,
  dnsHostResolver,
  dnsPort53,
  dnsPort53Dnsname,
  dnsUpstream,
  dockerCliIsPodman,
  dockerDockerUser,
  dockerForwardDropOtherBridges,
  dockerIcc,
  dockerIptables,
  engineReachable,
  fwBrNetfilterForward,
  fwEngineRules,
  fwFirewalldZones,
  fwForeignForward,
  fwInputDns,
  fwIptablesBackend,
  fwUfw,
  hostHandmadeForward,
  hostIpForward,
  hostIpv6Forwarding,
  hostWsl,
  hostIptablesBinary,
  kernelNetfilterModules,
  mixedDockerForwardPodmanIngress,
  mtuPathMtu,
  netConntrack,
  netHostPort,
  netInternal,
  netMacvlan,
  netRpFilter,
  netnsBridgeAddress,
  netnsMasquerade,
  netnsNoRoute,
  netnsVethDown,
  netSubnetOverlap,
  podmanBackend,
  podmanNetavarkAardvarkVersions,
  rootlessContainerIp,
  rootlessDevNetTun,
  rootlessLinger,
  rootlessNetfilterPreload,
  rootlessPasta,
  rootlessPastaHostAddress,
  rootlessPingGroupRange,
  rootlessPrivilegedPort,
  rootlessSlirp4netns,
]);

/** The checks of `netdoctor why A B`, one per link of the way from A to B. */
export const PAIR_CHECKS: readonly PairCheck[] = byId([
  pairEngines,
  pairHostService,
  pairIcmp,
  pairName,
  pairReachable,
  pairRouteReachable,
  pairRouteTcp,
  pairRunning,
  pairSharedNetwork,
  pairTcp,
]);
