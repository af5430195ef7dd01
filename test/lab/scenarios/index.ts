import type { Scenario } from '../scenario.js';
import { FAILURE_MODE_SCENARIOS } from './failure-modes.js';
import { FW_SCENARIOS } from './fw-index.js';
import { HANDMADE_SCENARIOS } from './handmade-index.js';
import { WHY_SCENARIOS } from './why-index.js';
import aardvarkMoved from './aardvark-moved.js';
import aardvarkNotExecutable from './aardvark-not-executable.js';
import baselineDocker from './baseline-docker.js';
import baselineDockerPodman from './baseline-docker-podman.js';
import { baselineNetavarkIptables, baselineNetavarkNftables } from './baseline-netavark-driver.js';
import baselinePodmanCni from './baseline-podman-cni.js';
import baselinePodmanNetavark from './baseline-podman-netavark.js';
import baselineRootless from './baseline-rootless.js';
import baselineRootlessPastaPort from './baseline-rootless-pasta-port.js';
import cniDnsmasqNotExecutable from './cni-dnsmasq-not-executable.js';
import cniDnsnameAbsent from './cni-dnsname-absent.js';
import defaultNetworkDocker from './default-network-docker.js';
import defaultNetworkPodman from './default-network-podman.js';
import dockerCliIsPodman from './docker-cli-is-podman.js';
import dockerFrozen from './docker-frozen.js';
import dockerStopped from './docker-stopped.js';
import fwDockerDropNetavarkNftables from './fw-docker-drop-netavark-nftables.js';
import fwFirewalldDockerZone from './fw-firewalld-docker-zone.js';
import fwFirewalldReload from './fw-firewalld-reload.js';
import ipForwardBridge from './ip-forward-bridge.js';
import ipForwardSysctl from './ip-forward-sysctl.js';
import ipForwardSysctlD from './ip-forward-sysctl-d.js';
import iptablesMoved from './iptables-moved.js';
import iptablesNotExecutable from './iptables-not-executable.js';
import pingNetRawDocker from './ping-net-raw-docker.js';
import pingNetRawPodman from './ping-net-raw-podman.js';
import podmanBackendPinned from './podman-backend-pinned.js';
import podmanBrokenStore from './podman-broken-store.js';
import podmanCniBackend from './podman-cni-backend.js';
import rootlessContainerIp from './rootless-container-ip.js';
import rootlessDevNetTun from './rootless-dev-net-tun.js';
import rootlessPastaHostAddress from './rootless-pasta-host-address.js';
import netavarkAardvarkMismatch from './netavark-aardvark-mismatch.js';
import rootlessPastaMoved from './rootless-pasta-moved.js';
import rootlessPastaNotExecutable from './rootless-pasta-not-executable.js';
import rootlessPingGroupRange from './rootless-ping-group-range.js';
import rootlessSlirp4netnsMoved from './rootless-slirp4netns-moved.js';
import rootlessSlirp4netnsNotExecutable from './rootless-slirp4netns-not-executable.js';
import aardvarkKilled from './aardvark-killed.js';
import cniDnsmasqKilled from './cni-dnsmasq-killed.js';
import dockerIccOff from './docker-icc-off.js';
import dockerIptablesOff from './docker-iptables-off.js';
import internalNetwork from './internal-network.js';
import kernelModulesMissing from './kernel-modules-missing.js';
import mtuSmallUplink from './mtu-small-uplink.js';
import port53TakenOnGateway from './port53-taken-on-gateway.js';
import resolverLoopbackOnly from './resolver-loopback-only.js';
import rootlessModulesNotPreloaded from './rootless-modules-not-preloaded.js';
import rootlessPrivilegedPort from './rootless-privileged-port.js';
import subnetOverlap from './subnet-overlap.js';

/** Run in this order, one at a time: healthy baselines first, dockerd stops last. */
export const SCENARIOS: readonly Scenario[] = [
  baselinePodmanNetavark,
  baselinePodmanCni,
  baselineRootless,
  baselineDocker,
  baselineDockerPodman,
  baselineRootlessPastaPort,
  baselineNetavarkNftables,
  baselineNetavarkIptables,
  fwDockerDropNetavarkNftables,
  fwFirewalldReload,
  fwFirewalldDockerZone,
  ipForwardSysctl,
  ipForwardSysctlD,
  ipForwardBridge,
  iptablesMoved,
  iptablesNotExecutable,
  podmanCniBackend,
  podmanBackendPinned,
  aardvarkMoved,
  aardvarkNotExecutable,
  netavarkAardvarkMismatch,
  cniDnsnameAbsent,
  cniDnsmasqNotExecutable,
  defaultNetworkPodman,
  defaultNetworkDocker,
  pingNetRawPodman,
  pingNetRawDocker,
  rootlessContainerIp,
  rootlessSlirp4netnsMoved,
  rootlessSlirp4netnsNotExecutable,
  rootlessPastaMoved,
  rootlessPastaNotExecutable,
  rootlessPastaHostAddress,
  rootlessDevNetTun,
  rootlessPingGroupRange,
  podmanBrokenStore,
  dockerCliIsPodman,
  dockerFrozen,
  dockerStopped,
  ...FW_SCENARIOS,
  resolverLoopbackOnly,
  port53TakenOnGateway,
  cniDnsmasqKilled,
  aardvarkKilled,
  dockerIccOff,
  subnetOverlap,
  internalNetwork,
  mtuSmallUplink,
  rootlessPrivilegedPort,
  dockerIptablesOff,
  // Both boot the lab guest (a kernel with loadable modules): the slowest of the host scenarios.
  kernelModulesMissing,
  rootlessModulesNotPreloaded,
  // The conntrack and ufw scenarios boot the lab guest too.
  ...FAILURE_MODE_SCENARIOS,
  ...WHY_SCENARIOS,
  ...HANDMADE_SCENARIOS,
];
