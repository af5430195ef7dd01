import type { CatalogEntry } from '../catalog.js';

const PODMAN_TROUBLESHOOTING = 'https://github.com/containers/podman/blob/main/troubleshooting.md';
const DOCKER_FIREWALL = 'https://docs.docker.com/engine/network/packet-filtering-firewalls/';

export const PART2_FIREWALL: readonly CatalogEntry[] = [
  {
    id: 'fw.br_netfilter_forward_drop',
    severity: 'error',
    title: 'Traffic between containers on the same bridge is dropped by the forward path',
    explanation:
      'Two containers on one network talk through a Linux bridge, which normally switches their packets without the firewall seeing them. With br_netfilter loaded and net.bridge.bridge-nf-call-iptables = 1, every bridged IPv4 packet also crosses the host\'s forward hook, as if it were routed. A drop there (a drop policy without an accept for the bridge, or a drop rule in any table on that hook) then cuts containers on the same network off from each other.',
    cause:
      'Docker 20.10 loads br_netfilter and sets the iptables FORWARD policy to DROP; Kubernetes guides turn bridge-nf-call-iptables on; a firewall (an nftables table, ufw, firewalld, a flushed FORWARD chain) drops forwarded traffic without an accept for the container bridge.',
    fix: 'Accept traffic that enters and leaves the same container bridge in the table that drops it, or, if nothing on the host needs bridged traffic filtered, set net.bridge.bridge-nf-call-iptables to 0 (this turns off docker\'s icc=false isolation and kube-proxy\'s bridge rules).',
    docs: 'https://github.com/moby/moby/issues/48411',
  },
  {
    id: 'fw.engine_rules_flushed',
    severity: 'error',
    title: "The engine's firewall rules for a network with running containers are gone",
    explanation:
      'Engines write NAT and filter rules when a network gets its first container (podman) or when the daemon starts (docker): a masquerade rule so that containers reach the outside with the host\'s address, DNAT rules for published ports, and forward rules that accept the network\'s traffic. Something removed them after the containers started, so containers lose the outside, and published ports stop answering, until the engine writes its rules again.',
    cause:
      'A firewall reload that replaces the whole ruleset: Debian\'s nftables.service runs /etc/nftables.conf, which starts with `flush ruleset`, on start and reload; `firewall-cmd --reload`; `iptables-restore` or `netfilter-persistent reload`; `iptables -F`/`-t nat -F` by hand.',
    fix: 'Make the engine write its rules again (rootful podman: `podman network reload --all`; docker: restart dockerd), and change the firewall configuration so that reloading it leaves other tables alone (flush only its own table instead of `flush ruleset`).',
    docs: `${PODMAN_TROUBLESHOOTING}#30-container-related-firewall-rules-are-lost-after-reloading-firewalld`,
  },
  {
    id: 'fw.input_drop_blocks_bridge_dns',
    severity: 'error',
    title: 'The host firewall drops DNS queries from containers to their network\'s DNS server',
    explanation:
      'On a rootful podman network with DNS, container names are answered by aardvark-dns (netavark) or dnsmasq (CNI dnsname), which listen on the host itself, on the network\'s gateway address. Queries from containers therefore cross the host\'s input hook. When that path drops them, every lookup in the containers times out, names of other containers and outside names alike, while traffic by address still works. netavark before 1.8 and the CNI plugins add no input rule that lets these queries in; docker is not affected, because its DNS server answers inside each container.',
    cause: 'An input drop policy or drop rule with no accept for udp/53 from the container bridge: `iptables -P INPUT DROP`, ufw\'s default incoming deny, firewalld, or an nftables input chain with `policy drop`.',
    fix: 'Accept DNS (udp and tcp port 53) from the container bridges in the table that drops it, or upgrade to netavark 1.8 or later, which adds that rule itself.',
    docs: 'https://github.com/containers/netavark/issues/742',
  },
  {
    id: 'fw.foreign_forward_drop',
    severity: 'error',
    title: 'A firewall outside the engine drops forwarded container traffic',
    explanation:
      'Container traffic to the outside, and from the outside to published ports, is routed by the host and crosses every chain registered on the forward hook, in every table. An accept only ends the chain it is in; a drop in any other chain is final. So the engine\'s own accept rules do not help when another table (a hand-written nftables ruleset, ufw, firewalld) or a rule an administrator added drops the packet: containers cannot reach the outside, or published ports cannot be reached, although `iptables -L` shows the engine\'s accepts.',
    cause: 'An nftables ruleset with `chain forward { type filter hook forward priority 0; policy drop; }`, ufw\'s DEFAULT_FORWARD_POLICY="DROP", firewalld without the container bridges in a trusted zone, or an iptables-persistent file that sets `:FORWARD DROP`.',
    fix: 'Accept the container bridges\' traffic in the table that drops it (outgoing from the bridge, replies back to it, and connections to published ports), or put the bridges in the firewall\'s trusted zone.',
    docs: 'https://github.com/containers/netavark/issues/977',
  },
  {
    id: 'fw.iptables_backend_split',
    severity: 'warning',
    title: 'Rules live in both iptables-legacy and iptables-nft',
    explanation:
      'iptables comes in two flavours that write to different kernel subsystems: iptables-legacy (x_tables) and iptables-nft (nf_tables). Each flavour\'s tools show only its own rules, but a packet must pass both. When one engine wrote its rules with one flavour and something else (another engine, a firewall script, an older install) used the other, a drop policy in one flavour is not answered by the accepts in the other, and NAT rules in one are invisible to the tools of the other.',
    cause: 'The iptables alternative was switched (update-alternatives) after an engine had started, a tool or container image ships the other flavour, or a firewall package uses the other flavour than the engines.',
    fix: 'Choose one flavour (on current distributions iptables-nft), point the iptables and ip6tables alternatives at it, remove the rules from the other flavour, then make the engines write their rules again.',
    docs: 'https://github.com/moby/libnetwork/issues/2331',
  },
  {
    id: 'mixed.docker_forward_drop_breaks_podman_ingress',
    severity: 'warning',
    title: "Docker's FORWARD DROP policy blocks podman's published ports",
    explanation:
      'When dockerd has to turn IP forwarding on itself, it sets the iptables FORWARD policy to DROP and accepts only its own networks. Rootful podman (netavark 1.x, CNI) accepts replies and outgoing traffic of its networks, but has no rule for new connections that arrive through a published port. Those fall through to docker\'s DROP policy: a podman port published with -p answers from the host itself (that traffic does not cross the forward hook) but not from any other machine.',
    cause: 'Docker and rootful podman run on the same host, and dockerd started while net.ipv4.ip_forward was 0 (for example at boot, before podman ran).',
    fix: 'Accept connections to podman\'s published ports in DOCKER-USER (the chain docker leaves to administrators, evaluated first), and persist that rule with a unit that runs after docker; or make sure forwarding is on before dockerd starts so that it leaves the policy alone.',
    docs: 'https://github.com/containers/netavark/issues/532',
  },
  {
    id: 'docker.docker_user_drop',
    severity: 'error',
    title: 'The DOCKER-USER chain drops container traffic',
    explanation:
      'Docker evaluates the DOCKER-USER chain first for every forwarded packet, for its own networks and, since it is jumped to from FORWARD, for every other bridge on the host too. A drop rule there that is not limited to new connections from the outside (no -i on the external interface, no accept of RELATED,ESTABLISHED before it) also drops containers\' own outgoing connections, their replies, or traffic between containers.',
    cause: 'A hardening script or a guide that restricts published ports by source address, written as a catch-all `-j DROP` in DOCKER-USER.',
    fix: 'Limit the drop to new connections from the external interface, and accept RELATED,ESTABLISHED first, as docker\'s documentation shows; or remove the drop.',
    docs: DOCKER_FIREWALL,
  },
];
