import { dnsnameDir, dnsnamePodman } from '../../src/facts/cni.js';
import { systemdRunning } from '../../src/facts/files.js';
import { holdsAddress, udpListeners, type SocketListener } from '../../src/facts/listeners.js';
import { podmanAllContainers } from '../../src/facts/podman-ports.js';
import { podmanContainers, podmanNetworks } from '../../src/facts/podman.js';
import { processById, processServiceUnit } from '../../src/facts/processes.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import { operands, shellLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md';
const PORT = 53;

const FINDINGS = {
  'dns.port53_taken_for_dnsname': {
    severity: 'error',
    title: "Another program holds port 53 on a dnsname network's gateway",
    explanation:
      "With the CNI backend, the dnsname plugin starts one dnsmasq per network, listening on the network's gateway address, port 53 (bind-dynamic, on the network's bridge only); containers send every lookup there. Another program already listens on that address and port, or on the wildcard while the network's own dnsmasq does not: dnsname's dnsmasq cannot bind it (\"failed to create listening socket ... Address already in use\", and `podman run` fails with a dnsname error), or the other program answers the containers' lookups. Container names do not resolve on that network.",
    cause:
      "A host DNS server that binds every address, including new bridge addresses: BIND's named, dnsmasq with bind-interfaces and a listen-address or interface that covers the bridge, unbound, pi-hole or AdGuard; or a rootful container publishing port 53 on that address. dnsname has no setting for another port.",
    fix: "Make the other program leave the container bridges alone (dnsmasq: bind-interfaces with except-interface=cni-podman*, or listen-address of its own addresses only; named: listen-on with its own addresses; unbound: interface:), or stop it; then restart the network's running containers, so that dnsname starts its dnsmasq, and start those whose start failed, then restart them once (a failed start leaves its address in dnsname's hosts file; a container's stop drops every record of its name).",
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

function ownerText(listener: SocketListener): string {
  const owners = [...new Set(listener.owners.map((owner) => `${owner.name} (pid ${owner.pid})`))];
  return owners.join(', ') || 'a process netdoctor may not see (run as root to name it)';
}

export default {
  id: 'dns.port53-dnsname',
  title: "dnsname's port on the gateways of CNI networks",
  findings: FINDINGS,
  docs: DOCS,
  async run({ host, facts }) {
    const podman = await facts.get(dnsnamePodman);
    if (!podman.ok) return skipFor(podman);
    const [networks, listening, listed, containers] = await Promise.all([
      facts.get(podmanNetworks),
      facts.get(udpListeners),
      facts.get(podmanAllContainers),
      facts.get(podmanContainers),
    ]);
    if (!networks.ok) return cannotDecide(networks.reason);
    if (!listening.ok) return cannotDecide(`the UDP sockets of the host could not be listed: ${listening.reason}`);
    const limits: string[] = [];
    if (!listed.ok) limits.push(listed.reason);
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const conflist of podman.networks) {
      const network = networks.items.find((candidate) => candidate.name === conflist.name);
      const bridge = conflist.bridge ?? network?.bridge;
      const gateways = (network?.subnets ?? []).flatMap((subnet) =>
        subnet.gateway && !subnet.gateway.includes(':') ? [subnet.gateway] : [],
      );
      if (gateways.length === 0) {
        limits.push(`CNI network ${conflist.name} has no IPv4 gateway in \`podman network ls\``);
        continue;
      }
      const confPath = `${dnsnameDir(host.context, conflist.name)}/dnsmasq.conf`;
      for (const gateway of gateways) {
        const holders = listening.value.listeners.filter((listener) => holdsAddress(listener, gateway, PORT, bridge));
        const own: SocketListener[] = [];
        const others: SocketListener[] = [];
        for (const listener of holders) {
          const processes = await Promise.all(listener.owners.map((owner) => facts.get(processById(owner.pid))));
          const isOwn = processes.some(
            (lookup) =>
              lookup.kind === 'running' &&
              lookup.process.name === 'dnsmasq' &&
              lookup.process.argv.some((arg) => arg.includes(confPath)),
          );
          if (isOwn) own.push(listener);
          else if (listener.owners.length === 0 && !listening.value.ownersKnown && !listener.wildcard)
            limits.push(`${listener.address}:${PORT} is bound by a process not visible to ${host.context.user}`);
          else others.push(listener);
        }
        // For UDP the socket bound to the address itself gets the packets, before any wildcard one.
        const exact = others.filter((listener) => !listener.wildcard);
        const wildcard = own.length === 0 ? others.filter((listener) => listener.wildcard) : [];
        const conflicts = [...exact, ...wildcard];
        const running = containers.ok
          ? containers.items.filter(
              (container) =>
                container.running && container.networks.some((attachment) => attachment.network === conflist.name),
            )
          : [];
        // A container whose start failed on the DNS setup stays created, never running.
        const waiting = listed.ok
          ? listed.items.filter(
              (container) => container.state !== 'running' && container.networks.includes(conflist.name),
            )
          : [];
        if (conflicts.length === 0) {
          checked.push(
            `${conflist.name} ${gateway}:${PORT}: ${own.length > 0 ? "the network's dnsmasq" : 'nothing else'}`,
          );
          continue;
        }
        // With no container on the network and no dnsmasq of its own, a wildcard listener decides nothing yet.
        if (exact.length === 0 && running.length === 0 && waiting.length === 0) {
          checked.push(`${conflist.name} ${gateway}:${PORT}: unused; ${ownerText(wildcard[0]!)} holds the wildcard`);
          continue;
        }
        const holder = conflicts[0]!;
        const [owner] = holder.owners;
        const commands: string[] = [];
        let stop = `find the process that holds ${gateway}:${PORT} (as root: ss -Hlnup 'sport = :${PORT}') and stop it or change its addresses`;
        if (owner !== undefined) {
          const [unit, systemd, process] = await Promise.all([
            facts.get(processServiceUnit(owner.pid)),
            facts.get(systemdRunning),
            facts.get(processById(owner.pid)),
          ]);
          if (unit !== undefined && systemd) {
            commands.push(shellLine(['systemctl', 'stop', unit]));
            stop = `stop ${unit} (or change its configuration as below and restart it)`;
          } else {
            commands.push(shellLine(['kill', String(owner.pid)]));
            const argv = process.kind === 'running' ? ` (${process.process.argv.join(' ')})` : '';
            stop = `end ${owner.name}, pid ${owner.pid}${argv}, and start it again with addresses that leave ${bridge ?? 'the bridge'} alone`;
          }
        }
        const names = running.map((container) => container.name);
        const waitingNames = waiting.map((container) => container.name);
        // A failed start leaves its address in dnsname's hosts file, and neither a later start nor `podman rm` of a
        // container that never ran removes it (the lab's port53-dnsname: the peer's name resolved to it). dnsname
        // drops every record of a name when that container leaves the network: one restart of each clears it.
        if (waitingNames.length > 0) commands.push(shellLine(['podman', 'start', ...operands(...waitingNames)]));
        if (names.length + waitingNames.length > 0)
          commands.push(shellLine(['podman', 'restart', ...operands(...names, ...waitingNames)]));
        findings.push(
          finding('dns.port53_taken_for_dnsname', {
            subject: {
              engine: 'podman',
              scope: podman.scope,
              network: conflist.name,
              containers: [...names, ...waitingNames],
              ...(bridge ? { interface: bridge } : {}),
            },
            title: `${ownerText(holder)} holds udp port ${PORT} on ${holder.wildcard ? `the wildcard address ${holder.address}` : `gateway ${holder.address}`}: dnsname's dnsmasq cannot answer on ${conflist.name}`,
            detail: `Containers on ${conflist.name} send their lookups to ${gateway}:${PORT}.${own.length === 0 ? " The network's own dnsmasq does not listen there." : ''}${names.length > 0 ? ` Running containers affected: ${names.join(', ')}.` : ''}${waitingNames.length > 0 ? ` Containers that did not start: ${waitingNames.map((name) => `${name} (${waiting.find((container) => container.name === name)!.state})`).join(', ')}.` : ''}`,
            evidence: [
              {
                source: 'command',
                what: listening.value.source,
                excerpt: holders.map((listener) => listener.line).join('\n'),
              },
            ],
            fix: {
              commands,
              summary: `Free ${gateway}:${PORT}: ${stop}.${waitingNames.length > 0 ? ' Then start the containers that did not start, and restart' : names.length > 0 ? ' Then restart' : ''}${names.length + waitingNames.length > 0 ? " the network's containers once: dnsname starts its dnsmasq when a container joins, and drops every record of a container's name when it leaves, also the stale address a failed start left in its hosts file, to which the name would resolve otherwise." : ''}`,
            },
          }),
        );
      }
    }
    return verdict(
      findings,
      checked.length > 0 ? checked.join('; ') : `${findings.length} dnsname network(s) with port 53 taken`,
      limits,
    );
  },
} satisfies Check;
