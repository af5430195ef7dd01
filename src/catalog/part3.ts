import type { CatalogEntry } from '../catalog.js';

const DOCKER_NETWORKING = 'https://docs.docker.com/engine/network/';
const PODMAN_NETWORKING = 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md';

/** Part 3 of CATALOG.md: what `netdoctor why A B` finds on the path between two containers. */
export const PART3: readonly CatalogEntry[] = [
  {
    id: 'pair.not_running',
    severity: 'error',
    title: 'One of the two containers is not running',
    explanation:
      'A container that is not running has no network namespace: it holds no address, answers no connection and resolves no name. Nothing can reach it, and it reaches nothing, until it runs again.',
    cause: 'The container exited (its main process ended or crashed), was stopped, or was created and never started.',
    fix: 'Read its logs to learn why it stopped, then start it again.',
    docs: 'https://docs.podman.io/en/latest/markdown/podman-start.1.html',
  },
  {
    id: 'pair.no_shared_network',
    severity: 'error',
    title: 'The two containers share no network',
    explanation:
      "Containers reach each other directly, and by name, only on a network they are both attached to (or when they share one network namespace: a pod, `--network container:`, or the host's). On different networks each name server knows only its own network, and the engine's firewall rules either isolate the networks (docker) or let traffic through by address only, routed by the host.",
    cause: 'The containers were started with different --network options, or one of them on the default network.',
    fix: 'Attach one container to the other one\'s network (`network connect`), or start both on one user-defined network.',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'pair.name_not_resolvable',
    severity: 'error',
    title: "The first container cannot resolve the second one's name",
    explanation:
      "Applications usually reach another container by its name. On the network the two share, that name does not resolve from the first container: connecting by name fails with \"bad address\" or \"Name or service not known\" although the address may answer.",
    cause:
      "The shared network has no DNS (docker's default `bridge`, podman's default `podman`, a CNI network without dnsname, a network created with --disable-dns), or its DNS server (aardvark-dns, dnsname's dnsmasq, docker's embedded DNS) does not run or does not answer.",
    fix: 'Put both containers on a user-defined network with DNS, or repair the DNS server of the network they share.',
    docs: DOCKER_NETWORKING,
  },
  {
    id: 'pair.icmp_blocked',
    severity: 'warning',
    title: 'ICMP and TCP disagree between the two containers',
    explanation:
      'A ping from the first container to the second gets no answer while TCP connections work (or the reverse). A ping alone is then no test of the path: a firewall rule or a setting treats ICMP differently from TCP.',
    cause: 'A firewall rule drops or rejects ICMP echo (or only TCP), or the second container\'s kernel ignores echo requests (net.ipv4.icmp_echo_ignore_all).',
    fix: 'Test reachability with TCP to the real service port; if ping must work, find the rule that treats ICMP differently.',
    docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  },
  {
    id: 'pair.tcp_port_closed',
    severity: 'error',
    title: "A port of the second container cannot be reached from the first",
    explanation:
      'A TCP connection from the first container to this port of the second does not succeed. Either nothing listens on the port, or the service listens on the loopback address only (reachable from inside its own container, never from another), or packets are dropped or rejected on the way (a firewall rule, inter-container communication turned off).',
    cause:
      'The service is not started or listens on another port; it binds 127.0.0.1 or ::1 (a common default of development servers and databases); a firewall rule on the host, a DOCKER-USER rule, or docker\'s enable_icc=false on the network.',
    fix: 'Start the service on the port, make it listen on all addresses (0.0.0.0) instead of loopback, or remove the rule that drops the traffic.',
    docs: DOCKER_NETWORKING,
  },
  {
    id: 'pair.different_engines',
    severity: 'error',
    title: 'The two containers belong to different engines or users',
    explanation:
      "Each engine, and each user's rootless podman, keeps its own networks and name servers: a docker network and a podman network, or the networks of two users, never join. Containers of different engines can at best reach each other by address, routed through the host (rootful ones) or through published ports (rootless ones), and never by name.",
    cause: 'The containers were started with different engines (docker and podman), by different users, or one rootful and one rootless.',
    fix: 'Run both containers with the same engine, as the same user, on one network; or publish the second container\'s port on the host and connect to the host\'s address.',
    docs: PODMAN_NETWORKING,
  },
  {
    id: 'pair.reachable',
    severity: 'info',
    title: 'The second container is reachable from the first',
    explanation: 'Every probe from the first container to the second passed: its ports accept connections and its name resolves where a name server serves it.',
    cause: 'Nothing is broken on this path.',
    fix: 'Nothing to fix on this path; if an application still fails, look at its own configuration (address, port, credentials).',
    docs: PODMAN_NETWORKING,
  },
];
