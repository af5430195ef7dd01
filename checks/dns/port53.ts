import { OVERRIDE_CONTAINERS_CONF } from '../../src/facts/containers-conf.js';
import { holdsAddress, udpListeners, type SocketListener } from '../../src/facts/listeners.js';
import { runningOn, type ContainerNetwork } from '../../src/facts/model.js';
import { aardvarkStateDir, podmanDnsSettings } from '../../src/facts/podman-dns.js';
import { pidFile, processById } from '../../src/facts/processes.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine, writeFileLine } from '../../src/core/shell.js';

const AARDVARK = 'aardvark-dns';

interface Conflict {
  listener: SocketListener;
  networks: ContainerNetwork[];
}

function ownerNames(listener: SocketListener): string {
  const names = [...new Set(listener.owners.map((owner) => `${owner.name} (pid ${owner.pid})`))];
  return names.join(', ') || 'a process netdoctor may not see (run as root to name it)';
}

/** Advice for the program that holds the port, when it is one of the usual ones. */
function ownerAdvice(listener: SocketListener): string {
  const names = listener.owners.map((owner) => owner.name);
  if (names.includes('dnsmasq'))
    return 'For dnsmasq: add "bind-interfaces" and "except-interface=podman*" (or listen-address=...) to its configuration and restart it.';
  if (names.includes('named'))
    return 'For named: list only the addresses it serves in listen-on { ... }; and restart it.';
  if (names.includes('unbound')) return 'For unbound: set interface: to the addresses it serves and restart it.';
  return 'Or make that program listen only on the addresses it serves.';
}

const FINDINGS = {
  'dns.port53_taken_for_aardvark': {
    severity: 'error',
    title: 'Another program holds the port aardvark-dns needs on a container gateway',
    explanation:
      "With netavark, containers on a DNS-enabled network send their lookups to aardvark-dns on the network's gateway address, port 53. Another program already listens on that port, on the wildcard address (0.0.0.0 or [::]) or on the gateway itself, so aardvark-dns cannot bind it: podman still starts containers, aardvark-dns runs and listens nowhere, and the other program answers the containers' lookups. Container names do not resolve, and outside names resolve only as that program decides.",
    cause:
      "A host DNS server bound to every address: dnsmasq without bind-interfaces (Debian's dnsmasq package), BIND's named (which binds each new interface address), unbound, pi-hole or AdGuard, or a rootful container publishing port 53.",
    fix: 'Make the other program listen only on the addresses it serves (dnsmasq: bind-interfaces with listen-address, or except-interface for the container bridges; named: listen-on), or move aardvark-dns to another port with dns_bind_port in containers.conf; then restart the containers on the affected networks so that aardvark-dns starts again.',
    docs: 'https://github.com/containers/podman/issues/15452',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'dns.port53',
  title: "aardvark-dns's port on the gateways of DNS-enabled networks",
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/issues/15452',
  async run({ facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    if (podman.scope === 'rootless')
      return notApplicable(
        "rootless aardvark-dns listens inside the user's own network namespace, where host programs cannot take its port",
      );
    if (podman.info.networkBackend !== 'netavark')
      return notApplicable(`podman uses the ${podman.info.networkBackend} backend, which has no aardvark-dns`);
    const networks = await facts.get(podmanNetworks);
    if (!networks.ok) return cannotDecide(networks.reason);
    const withDns = networks.items.filter(
      (network) => network.dnsEnabled && network.subnets.some((subnet) => subnet.gateway),
    );
    if (withDns.length === 0) return notApplicable('no podman network has DNS enabled');
    const [settings, listening] = await Promise.all([facts.get(podmanDnsSettings), facts.get(udpListeners)]);
    if (!listening.ok) return cannotDecide(`the UDP sockets of the host could not be listed: ${listening.reason}`);
    const port = settings.dnsBindPort;
    const alternativePort = port === 1153 ? 1154 : 1153;
    const conflicts: Conflict[] = [];
    const limits: string[] = [];
    for (const listener of listening.value.listeners.filter((candidate) => candidate.port === port)) {
      const networksHit = withDns.filter((network) =>
        network.subnets.some(
          (subnet) => subnet.gateway && holdsAddress(listener, subnet.gateway, port, network.bridge),
        ),
      );
      if (networksHit.length === 0) continue;
      const isAardvark = listener.owners.some((owner) => owner.name === AARDVARK);
      if (isAardvark) continue;
      // aardvark-dns binds gateway addresses only, never a wildcard: a wildcard socket is someone else's, owner seen or
      // not.
      if (listener.owners.length === 0 && !listener.wildcard) {
        limits.push(`${listener.address}:${port} is bound, by a process not visible to ${facts.host.context.user}`);
        continue;
      }
      conflicts.push({ listener, networks: networksHit });
    }
    const gateways = withDns.flatMap((network) =>
      network.subnets.flatMap((subnet) => (subnet.gateway ? [`${network.name} ${subnet.gateway}:${port}`] : [])),
    );
    if (conflicts.length === 0)
      return verdict(
        [],
        `nothing but aardvark-dns holds udp port ${port} on ${gateways.join(', ')} (${listening.value.source})`,
        limits,
      );
    const containers = await facts.get(podmanContainers);
    const runningNames = (networkNames: string[]) =>
      containers.ok ? runningOn(containers.items, networkNames).map((container) => container.name) : [];
    // One aardvark-dns serves every DNS-enabled network: it restarts on a new port only once all their containers
    // stopped.
    const dnsUsers = runningNames(withDns.map((network) => network.name));
    const aardvarkPidFile = `${aardvarkStateDir(facts.host.context)}/aardvark.pid`;
    const recorded = await facts.get(pidFile(aardvarkPidFile));
    const running = recorded.kind === 'pid' ? await facts.get(processById(recorded.pid)) : undefined;
    // Stale entries in its folder can keep aardvark-dns alive with no container left: end it by its pid, and drop
    // the pid file so that netavark starts a new one even before the old one is reaped.
    const endAardvark =
      running?.kind === 'running' && running.process.name === AARDVARK
        ? [`kill ${running.process.pid}`, shellLine(['rm', '-f', aardvarkPidFile])]
        : [];
    const dropIn = `${OVERRIDE_CONTAINERS_CONF}.d/50-aardvark-port.conf`;
    // CONTAINERS_CONF replaces the whole chain, drop-in folders included.
    const explicitConf = facts.host.context.env.CONTAINERS_CONF;
    const findings: Finding[] = conflicts.map(({ listener, networks: hit }) => {
      const names = hit.map((network) => network.name);
      const members = runningNames(names);
      const where = listener.wildcard ? `the wildcard address ${listener.address}` : `gateway ${listener.address}`;
      return finding('dns.port53_taken_for_aardvark', {
        subject: { engine: 'podman', scope: 'rootful', network: names.join(', '), containers: members },
        title: `${ownerNames(listener)} holds udp port ${port} on ${where}: aardvark-dns cannot answer on ${names.join(', ')}`,
        detail: `Containers on these networks send their lookups to ${hit.flatMap((network) => network.subnets.flatMap((subnet) => subnet.gateway ?? [])).join(', ')}:53.${members.length > 0 ? ` Running containers affected: ${members.join(', ')}.` : ''}`,
        evidence: [{ source: 'command', what: listening.value.source, excerpt: listener.line }],
        fix: {
          commands: [
            ...(explicitConf
              ? []
              : [
                  shellLine(['mkdir', '-p', `${OVERRIDE_CONTAINERS_CONF}.d`]),
                  writeFileLine(dropIn, ['[network]', `dns_bind_port = ${alternativePort}`]),
                ]),
            ...(dnsUsers.length > 0 ? [shellLine(['podman', 'stop', ...operands(...dnsUsers)])] : []),
            ...endAardvark,
            ...(dnsUsers.length > 0 ? [shellLine(['podman', 'start', ...operands(...dnsUsers)])] : []),
          ],
          summary: `Move aardvark-dns to port ${alternativePort}${explicitConf ? ` (dns_bind_port = ${alternativePort} in the [network] table of ${explicitConf}, the only containers.conf podman reads here)` : ''}: netavark redirects the containers' port 53 to it. Then stop every container on a DNS-enabled network, end aardvark-dns, and start them again: netavark starts aardvark-dns on the new port. ${ownerAdvice(listener)}`,
        },
      });
    });
    return verdict(
      findings,
      `udp port ${port} on ${gateways.join(', ')}: taken by ${conflicts.map((conflict) => ownerNames(conflict.listener)).join('; ')}`,
      limits,
    );
  },
} satisfies Check;
