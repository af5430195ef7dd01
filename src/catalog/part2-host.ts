import type { CatalogEntry } from '../catalog.js';

const PODMAN_NETWORKING = 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md';
const DOCKER_BRIDGE = 'https://docs.docker.com/engine/network/drivers/bridge/';
const DOCKER_FIREWALL = 'https://docs.docker.com/engine/network/packet-filtering-firewalls/';

export const PART2_HOST: readonly CatalogEntry[] = [
  {
    id: 'dns.host_resolver_loopback_only',
    severity: 'warning',
    title: "The host's resolv.conf lists only loopback nameservers",
    explanation:
      "Every nameserver in the host's resolv.conf is a loopback address (127.x or ::1), a local stub resolver. A container has its own network namespace, where 127.0.0.1 is the container itself, so it cannot use that resolver: podman and Docker's default bridge drop loopback nameservers from the containers' resolv.conf and, when none is left, put Google's 8.8.8.8 and 8.8.4.4 there. Containers then fail to resolve outside names wherever those are unreachable (air-gapped or corporate networks) and never see internal names that only the local resolver knows.",
    cause:
      'A local caching resolver (dnsmasq on 127.0.1.1, unbound or a VPN client on 127.0.0.1) owns the host\'s resolv.conf, in a form the engines do not special-case (they follow systemd-resolved\'s 127.0.0.53 to its upstreams only when it is the only entry).',
    fix: "Give the engines real upstream nameservers: podman's dns_servers in containers.conf, Docker's \"dns\" in daemon.json (or --dns per container); or make the local resolver listen on an address containers can reach and list that.",
    docs: 'https://docs.docker.com/engine/daemon/troubleshoot/#dns-resolver-issues',
  },
  {
    id: 'dns.port53_taken_for_aardvark',
    severity: 'error',
    title: "Another program holds the port aardvark-dns needs on a container gateway",
    explanation:
      "With netavark, containers on a DNS-enabled network send their lookups to aardvark-dns on the network's gateway address, port 53. Another program already listens on that port, on the wildcard address (0.0.0.0 or [::]) or on the gateway itself, so aardvark-dns cannot bind it: podman still starts containers, aardvark-dns runs and listens nowhere, and the other program answers the containers' lookups. Container names do not resolve, and outside names resolve only as that program decides.",
    cause:
      'A host DNS server bound to every address: dnsmasq without bind-interfaces (Debian\'s dnsmasq package), BIND\'s named (which binds each new interface address), unbound, pi-hole or AdGuard, or a rootful container publishing port 53.',
    fix: 'Make the other program listen only on the addresses it serves (dnsmasq: bind-interfaces with listen-address, or except-interface for the container bridges; named: listen-on), or move aardvark-dns to another port with dns_bind_port in containers.conf; then restart the containers on the affected networks so that aardvark-dns starts again.',
    docs: 'https://github.com/containers/podman/issues/15452',
  },
  {
    id: 'cni.dnsmasq_not_running',
    severity: 'error',
    title: "dnsname's dnsmasq is not running for a network with running containers",
    explanation:
      "With the CNI backend, the dnsname plugin answers container names through one dnsmasq per network, listening on the network's gateway. That dnsmasq is not running although containers on the network are: their lookups, of container names and outside names alike, go to the gateway and time out. dnsname starts dnsmasq again only when a container joins or leaves the network.",
    cause:
      "dnsname starts dnsmasq in the cgroup of whoever ran the first container, so the dnsmasq dies with that login session or systemd unit; it was killed; or an AppArmor profile in enforce mode keeps it from reading its configuration.",
    fix: 'Start dnsmasq again by adding a container to the network (or restarting one of its containers); for containers started from a login session, enable lingering or start them from a service; or move to the netavark backend, whose aardvark-dns runs in its own scope.',
    docs: 'https://github.com/containers/podman/issues/9931',
  },
  {
    id: 'aardvark.not_running',
    severity: 'error',
    title: 'aardvark-dns is not running for DNS-enabled networks with running containers',
    explanation:
      "With netavark, containers on a DNS-enabled network resolve names through aardvark-dns on the network's gateway. aardvark-dns is not running (no pid file, or its pid is dead or another program) although containers on such a network are. Their lookups time out, and netavark does not notice: it only signals the pid in aardvark.pid when a container starts or stops, and starts a new aardvark-dns only when that pid does not exist at all.",
    cause:
      'aardvark-dns was killed (out of memory, by hand, or with the scope or user session it was started in), or it died and its pid was reused by another process.',
    fix: 'Stop the containers on the DNS-enabled networks, remove the stale aardvark-dns state (kill any stray aardvark-dns, remove its folder), then start the containers again: netavark starts a fresh aardvark-dns.',
    docs: 'https://github.com/containers/netavark/issues/911',
  },
  {
    id: 'docker.icc_disabled',
    severity: 'error',
    title: 'Inter-container communication is turned off on a Docker network',
    explanation:
      'The network has enable_icc=false (daemon-wide "icc": false or --icc=false for the default bridge): dockerd adds a firewall rule that drops every packet from one container to another on this bridge. Containers on it reach the outside and published ports, but not each other, by address or by name.',
    cause:
      'A hardening guide (CIS Docker benchmark 2.1 recommends icc=false), or a network created with -o com.docker.network.bridge.enable_icc=false.',
    fix: 'Put containers that must talk to each other on a user-defined network with icc on (the default); or remove "icc": false (or --icc=false) from dockerd and restart it; or recreate the user network without the option.',
    docs: DOCKER_BRIDGE,
  },
  {
    id: 'docker.iptables_or_masq_disabled',
    severity: 'error',
    title: 'dockerd runs with iptables, ip-masq or ip-forward turned off',
    explanation:
      "dockerd was told not to program the firewall (iptables=false), not to masquerade container traffic (ip-masq=false, or enable_ip_masquerade=false on a network), or not to turn on IP forwarding (ip-forward=false). Without its rules containers have no way out and published ports do not work; without masquerading, packets leave with container source addresses to which no reply ever comes back; without forwarding, nothing leaves the bridges once anything turns ip_forward off. Things may seem to work until a reboot or firewall reload removes what an earlier dockerd had set up.",
    cause: 'Someone turned these off in daemon.json or on the dockerd command line to manage the firewall by hand, or to keep docker away from another firewall manager.',
    fix: 'Remove the setting and restart dockerd so that it programs its rules again; or, if the firewall is managed by hand on purpose, add the MASQUERADE, FORWARD and DNAT rules for every docker network yourself.',
    docs: DOCKER_FIREWALL,
  },
  {
    id: 'net.subnet_overlaps_host_route',
    severity: 'error',
    title: "A container network's subnet overlaps a host route",
    explanation:
      "The host has a route or address for part of a container network's subnet on an interface that is not the network's bridge (a VPN, the LAN, another engine's network). The kernel sends each packet by the most specific route, so traffic to those addresses goes one way and never the other: containers cannot reach the hosts behind the other route, or replies for some containers leave through the wrong interface and never reach them.",
    cause:
      "Engines choose a free subnet when a network is created; podman looks only at the addresses of interfaces that are up at that moment, not at routes, so a network created before a VPN connected, or while another engine's bridge was down, can overlap.",
    fix: 'Move the container network to a subnet that nothing else uses (recreate it with --subnet, and set the engines\' default address pools so that new networks avoid it), or remove the other route if it is stale.',
    docs: 'https://docs.docker.com/engine/network/#ip-address-and-hostname',
  },
  {
    id: 'net.internal_network',
    severity: 'info',
    title: 'An internal network: its containers cannot reach anything outside it',
    explanation:
      'The network was created as internal: it has no route out and no masquerading, so its containers reach each other but neither the host\'s other networks nor the outside, and nothing outside reaches them. Outside names may resolve while connections to them fail. This is by design, not a fault.',
    cause: 'The network was created with --internal (docker network create --internal, podman network create --internal).',
    fix: 'Connect containers that need the outside to a second, non-internal network as well, or recreate the network without --internal.',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'mtu.exceeds_path_mtu',
    severity: 'warning',
    title: "A container network's MTU is larger than an uplink's",
    explanation:
      "Containers on this network send packets as large as the network's MTU, but the host forwards their traffic out through an interface (a VPN, a tunnel, a PPPoE link) with a smaller MTU. Small packets pass, so DNS, ping and TCP handshakes work; large packets need ICMP \"fragmentation needed\" to come back, which tunnels and firewalls often lose, and then TLS handshakes, git clone, package downloads and large HTTP responses hang from containers while they work from the host.",
    cause: 'Bridges and veths default to MTU 1500 (docker stopped inferring the host MTU in 1.10; netavark and CNI use 1500 unless the mtu option is set), while VPNs (WireGuard 1420, OpenVPN 1400), VXLAN clouds (1450) and PPPoE (1492) have less.',
    fix: "Create the network with an MTU that fits the smallest uplink (podman: --opt mtu=N; docker: -o com.docker.network.driver.mtu=N, daemon.json \"mtu\" for the default bridge), or clamp TCP MSS to the path MTU on the host.",
    docs: 'https://github.com/moby/moby/issues/20178',
  },
  {
    id: 'kernel.netfilter_modules_missing',
    severity: 'error',
    title: 'Kernel features that container networks need are missing',
    explanation:
      'Container networks need the kernel\'s veth, bridge, br_netfilter, connection tracking, NAT and iptables or nftables features. Some of them are neither built into this kernel nor loaded, and no module for them is installed for the running kernel, so the engines cannot create the networks or their firewall rules: `podman run` and `docker run` fail with "can\'t initialize iptables table `nat\'", "Module ... not found", or networks come up without NAT.',
    cause:
      'A minimal or custom kernel built without them, or the running kernel\'s module tree was removed (a kernel upgrade whose old modules were cleaned up before the reboot), or the modules are blacklisted.',
    fix: 'Reboot into the installed kernel (or reinstall the running kernel\'s modules package); on a custom kernel, enable the options and rebuild.',
    docs: 'https://github.com/moby/moby/blob/master/contrib/check-config.sh',
  },
  {
    id: 'rootless.privileged_port',
    severity: 'warning',
    title: 'Rootless containers ask for host ports below ip_unprivileged_port_start',
    explanation:
      'A rootless container publishes a host port below net.ipv4.ip_unprivileged_port_start (1024 by default). Only root may bind those ports, so podman cannot open it for this user: the container fails to start ("rootlessport cannot expose privileged port 80 ... bind: permission denied") and nothing answers on that port.',
    cause: 'A port below 1024 (80, 443, 53) published by a rootless user, on a host that keeps the kernel default of 1024.',
    fix: 'Lower net.ipv4.ip_unprivileged_port_start to the lowest port needed (and persist it in /etc/sysctl.d), or publish a port of 1024 or above and redirect to it, or run the container rootful.',
    docs: 'https://github.com/containers/podman/blob/main/rootless.md',
  },
  {
    id: 'rootless.netfilter_modules_not_preloaded',
    severity: 'error',
    title: 'Rootless bridge networks need netfilter modules that are not loaded',
    explanation:
      "A rootless user network is a bridge in the user's own network namespace, and netavark (or CNI) programs iptables there. With iptables-legacy, iptables itself runs modprobe when the ip_tables module is not loaded, and an unprivileged user's modprobe is refused, so root must have loaded ip_tables (and ip6_tables) before. It has not: starting a rootless container on such a network fails with \"modprobe: ERROR: could not insert 'ip_tables': Operation not permitted\" and \"can't initialize iptables table `nat'\". The kernel loads the rest (the nat table, the matches) on request, and iptables-nft needs no preloading at all. The default slirp4netns network is not affected.",
    cause: 'The iptables alternative is iptables-legacy, nothing rootful has used it since boot (rootful engines load ip_tables on first use), and no modules-load.d file loads it at boot.',
    fix: 'As root, load the modules now and list them in /etc/modules-load.d so that every boot loads them (or switch the iptables alternative to iptables-nft).',
    docs: 'https://github.com/containers/podman/issues/12661',
  },
];
