import type { CatalogEntry } from '../catalog.js';

const PODMAN_TROUBLESHOOTING = 'https://github.com/containers/podman/blob/main/troubleshooting.md';
const PODMAN_NETWORKING = 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md';
const PODMAN_ROOTLESS = 'https://github.com/containers/podman/blob/main/rootless.md';

export const PART1: readonly CatalogEntry[] = [
  {
    id: 'host.ip_forward_disabled',
    severity: 'error',
    title: 'IPv4 forwarding is disabled',
    explanation:
      'Rootful container networks are bridges behind the host: every packet from a container to anything beyond the host (and every packet to a published port from another machine) is routed by the host kernel. With net.ipv4.ip_forward = 0, or forwarding off on the bridge, the kernel drops those packets: containers reach each other on the same bridge but not the outside.',
    cause:
      'A sysctl file (hardening profiles often set net.ipv4.ip_forward = 0), `sysctl --system`, or a network manager turned forwarding off after the engine had turned it on.',
    fix: 'Turn forwarding on now with sysctl and persist it in /etc/sysctl.d so that the next boot or `sysctl --system` keeps it.',
    docs: 'https://docs.docker.com/engine/daemon/troubleshoot/#ip-forwarding-problems',
  },
  {
    id: 'host.iptables_binary_missing',
    severity: 'error',
    title: 'No usable iptables binary',
    explanation:
      'netavark 1.x, the CNI plugins and dockerd set up NAT and forwarding by running the `iptables` program. Without it, starting a container on a bridge network fails ("netavark: iptables: No such file or directory") or the network comes up without the rules that let its traffic out.',
    cause: 'On Debian, podman only suggests iptables, so a minimal install lacks it; or the binary (or its alternatives link) was removed or lost its execute bit.',
    fix: 'Install the iptables package (or restore the binary and its mode).',
    docs: 'https://github.com/containers/podman/issues/24285',
  },
  {
    id: 'engine.unreachable',
    severity: 'error',
    title: 'Container engine cannot be used',
    explanation:
      'The engine CLI is installed, but its daemon or its configuration cannot be used, so no container of this engine can be created, inspected or diagnosed.',
    cause: 'dockerd is not running, its socket is missing or refuses connections, the user lacks permission on the socket, the daemon hangs, or podman fails to start (broken configuration or storage).',
    fix: 'Start the daemon, or give the user access to its socket, or repair the configuration that the error names.',
    docs: 'https://docs.docker.com/engine/daemon/troubleshoot/',
  },
  {
    id: 'podman.backend_is_cni',
    severity: 'info',
    title: 'Podman uses the CNI network backend',
    explanation:
      'This podman uses the deprecated CNI backend instead of netavark. Name resolution then needs the separate dnsname plugin and dnsmasq, and several netavark features (aardvark-dns, network update, DNS on internal networks) are missing. This is context, not a fault.',
    cause: 'network_backend = "cni" in containers.conf, or podman chose CNI when it was upgraded from 3.x or installed without netavark, and pinned the choice in its storage.',
    fix: 'Keep CNI and make sure dnsname and dnsmasq are installed, or migrate to netavark (podman system reset destroys containers, images and networks).',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'aardvark.missing',
    severity: 'error',
    title: 'aardvark-dns is missing: container names will not resolve',
    explanation:
      'With netavark, container name resolution on a DNS-enabled network is served by aardvark-dns on the network gateway. When podman cannot find an executable aardvark-dns it only prints a warning and still points containers at the gateway, where nothing answers: every lookup, of container names and outside names alike, times out.',
    cause: 'The aardvark-dns package is not installed (netavark only recommends it), or its binary was removed or is not executable.',
    fix: 'Install aardvark-dns, then recreate the containers on the network.',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'cni.dnsname_absent',
    severity: 'warning',
    title: 'CNI network without the dnsname plugin: no name resolution',
    explanation:
      'With the CNI backend, containers resolve each other by name only through the dnsname plugin. Podman adds it to a network only if the plugin was installed when the network was created, so containers on this network cannot reach each other by name.',
    cause: 'The dnsname plugin was not installed when the network was created (installing it later does not change existing networks), or the network was created with --disable-dns or as internal.',
    fix: 'Install the dnsname plugin and recreate the network (or add a dnsname block to its conflist).',
    docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  },
  {
    id: 'cni.dnsmasq_missing',
    severity: 'error',
    title: 'dnsname needs dnsmasq, which is missing',
    explanation:
      'The dnsname plugin serves container names by starting a dnsmasq per network. Without an executable dnsmasq, starting a container on this network fails ("unable to locate dnsmasq in path"), and failed starts leave stale firewall rules and address leases behind.',
    cause: 'dnsmasq-base is not installed, or the dnsmasq binary was removed or lost its execute bit.',
    fix: 'Install dnsmasq-base. As a workaround, create the network with --disable-dns.',
    docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  },
  {
    id: 'dns.default_network_no_dns',
    severity: 'warning',
    title: 'Containers on a default network cannot resolve each other by name',
    explanation:
      "Docker's default `bridge` network and Podman's default `podman` network have no name server for containers: names of other containers do not resolve there, only addresses work. Only user-defined networks get DNS.",
    cause: 'Containers were started without --network, so they joined the default network.',
    fix: 'Create a user-defined network and attach the containers that must talk to each other to it.',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'ctr.ping_without_net_raw',
    severity: 'warning',
    title: 'ping fails in a container that lacks CAP_NET_RAW',
    explanation:
      'ping needs either the CAP_NET_RAW capability (raw ICMP sockets) or a group inside net.ipv4.ping_group_range of the container (ICMP datagram sockets). This container has neither, so ping prints "permission denied" although the network works: a failed ping is no proof of a broken network here.',
    cause: "Podman's default capabilities (Debian's containers.conf) do not include NET_RAW; docker containers lose it with --cap-drop.",
    fix: 'Test with TCP instead, or recreate the container with --cap-add NET_RAW or a ping_group_range that includes its group.',
    docs: PODMAN_TROUBLESHOOTING,
  },
  {
    id: 'rootless.container_ip_unroutable_from_host',
    severity: 'info',
    title: 'Rootless container addresses are not reachable from the host',
    explanation:
      "Rootless podman networks live inside the user's own network namespace (slirp4netns). Their addresses are not routed on the host, so the host, other users and other machines cannot reach a rootless container by its IP address: only published ports (-p) reach it. This is by design.",
    cause: 'Rootless networking: the container addresses exist only inside the rootless network namespace.',
    fix: 'Publish the ports that must be reachable and connect to the host address and port; put containers that talk to each other on one network of the same user, or in one pod.',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'rootless.slirp4netns_missing',
    severity: 'error',
    title: 'slirp4netns is missing: rootless containers get no network',
    explanation:
      'Rootless podman 4 gives containers their network through slirp4netns. Without it every rootless `podman run` with networking fails ("could not find slirp4netns").',
    cause: 'slirp4netns is only recommended by the podman package, so a minimal install lacks it.',
    fix: 'Install slirp4netns (and uidmap for rootless podman in general).',
    docs: PODMAN_ROOTLESS,
  },
  {
    id: 'rootless.dev_net_tun',
    severity: 'error',
    title: 'Rootless networking cannot open /dev/net/tun',
    explanation:
      'slirp4netns creates a TAP device through /dev/net/tun for every rootless container. When the device node is missing or not read-write for the user, rootless containers fail to start with `open("/dev/net/tun"): Permission denied` or `No such device`.',
    cause: 'The tun device node has restrictive permissions, is missing (a container or LXC host without it), or the tun module is not available.',
    fix: 'Make the node read-write for users (mode 0666), create it if missing, or load the tun module.',
    docs: 'https://github.com/containers/podman/issues/14701',
  },
  {
    id: 'rootless.ping_group_range',
    severity: 'warning',
    title: "The user's groups are outside net.ipv4.ping_group_range",
    explanation:
      "slirp4netns forwards a rootless container's pings with unprivileged ICMP sockets on the host, which the kernel allows only to groups inside net.ipv4.ping_group_range. None of this user's groups is inside it, so pings from rootless containers get 100 % loss while TCP and UDP work.",
    cause: 'The kernel default of ping_group_range is "1 0" (no group), and Debian 12 ships no sysctl file that widens it.',
    fix: 'Widen net.ipv4.ping_group_range to include the user\'s groups, and persist it in /etc/sysctl.d.',
    docs: PODMAN_TROUBLESHOOTING,
  },
];

