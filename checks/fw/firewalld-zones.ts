import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import { systemdRunning } from '../../src/facts/files.js';
import { firewalldState, zoneBinding, zoneInfo, type FirewalldZone } from '../../src/facts/firewalld.js';
import type { ContainerNetwork } from '../../src/facts/model.js';
import { runningMembers } from '../../src/facts/network-members.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Host } from '../../src/core/host.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const DOCS = 'https://docs.podman.io/en/latest/markdown/podman-network-reload.1.html';

const FINDINGS = {
  'fw.firewalld_zone_blocks': {
    severity: 'error',
    title: "firewalld's zone for a container network rejects its traffic",
    explanation:
      "firewalld puts every packet it sees into a zone: the zone its source address is bound to, else the zone of the interface it came in on, else the default zone. A zone whose target is not ACCEPT rejects what none of its services or policies allow: forwarded traffic to other zones (the outside, published ports), bridged traffic between containers, and DNS queries to the network's gateway. That is why netavark binds each subnet to the `trusted` zone and docker puts its bridges in its own `docker` zone, both with target ACCEPT, while firewalld runs.",
    cause:
      '`firewall-cmd --reload` (or a restart of firewalld) drops runtime bindings: the subnets netavark added to `trusted` are gone, the container traffic falls into the default zone and is rejected (`No route to host`), until the engine adds them again. Binding the bridge or the subnet to another zone by hand has the same effect.',
    fix: "Have the engine put its networks back (podman: `podman network reload --all`; netavark's netavark-firewalld-reload.service does it after every firewalld reload; docker: its `docker` zone), and remove a binding to a rejecting zone that an administrator made.",
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

/** Where firewalld classifies the traffic of one subnet, and what it read to know it. */
interface Classification {
  zone: string;
  boundBy: 'source' | 'interface' | 'default';
  evidence: Evidence[];
}

export default {
  id: 'fw.firewalld-zones',
  title: 'firewalld zones of container networks',
  findings: FINDINGS,
  docs: DOCS,
  async run({ host, facts }) {
    const bridges = await facts.get(rootfulBridgeNetworks);
    if (bridges.networks.length === 0) {
      if (bridges.unknown.length > 0)
        return cannotDecide(`no rootful network could be listed (${bridges.unknown.join('; ')})`);
      return notApplicable('no rootful bridge network (docker or rootful podman) on this host');
    }
    // An engine binds a subnet only while a container uses it: a network without one has nothing to classify.
    const used: { network: ContainerNetwork; bridge: string; members: string[] }[] = [];
    for (const network of bridges.networks) {
      const members = await runningMembers(facts, network);
      if (members.length > 0 && network.bridge !== undefined) used.push({ network, bridge: network.bridge, members });
    }
    if (used.length === 0) return notApplicable('no rootful bridge network has a running container');
    const firewalld = await facts.get(firewalldState);
    if (!firewalld.ok) return skipFor(firewalld);
    const limits = [...bridges.unknown];
    const findings: Finding[] = [];
    const checked: string[] = [];
    const zones = new Map<string, Awaited<ReturnType<typeof zoneInfo>>>();
    const withSystemd = await facts.get(systemdRunning);
    for (const { network, bridge, members } of used) {
      for (const { subnet } of network.subnets) {
        const classified = await classify(host, subnet, bridge, firewalld.defaultZone, firewalld.evidence);
        if ('problem' in classified) {
          limits.push(classified.problem);
          continue;
        }
        let info = zones.get(classified.zone);
        if (info === undefined) {
          info = await zoneInfo(host, classified.zone);
          zones.set(classified.zone, info);
        }
        if ('problem' in info) {
          limits.push(info.problem);
          continue;
        }
        checked.push(
          `${network.engine}/${network.name} ${subnet}: zone ${classified.zone} (target ${info.zone.target})`,
        );
        if (info.zone.target === 'ACCEPT') continue;
        findings.push(
          finding('fw.firewalld_zone_blocks', {
            subject: {
              engine: network.engine,
              scope: network.scope,
              network: network.name,
              interface: bridge,
              containers: members,
            },
            title: `firewalld puts ${subnet} (${network.engine} network ${network.name}) in zone ${classified.zone}, which rejects its traffic`,
            detail: `${describeBinding(classified, subnet, bridge)} Zone ${classified.zone} has target ${info.zone.target || 'default'}: container traffic to other zones, between containers on ${bridge} and to the gateway's DNS is rejected.`,
            evidence: [...classified.evidence, info.evidence],
            fix: { commands: fixCommands(network, subnet, classified, info.zone, withSystemd) },
          }),
        );
      }
    }
    return verdict(findings, `firewalld runs; ${checked.join('; ')}`, limits);
  },
} satisfies Check;

async function classify(
  host: Host,
  subnet: string,
  bridge: string,
  defaultZone: string,
  firewalldEvidence: Evidence[],
): Promise<Classification | { problem: string }> {
  const bySource = await zoneBinding(host, 'source', subnet);
  if ('problem' in bySource) return bySource;
  if (bySource.zone !== undefined) return { zone: bySource.zone, boundBy: 'source', evidence: [bySource.evidence] };
  const byInterface = await zoneBinding(host, 'interface', bridge);
  if ('problem' in byInterface) return byInterface;
  if (byInterface.zone !== undefined)
    return { zone: byInterface.zone, boundBy: 'interface', evidence: [bySource.evidence, byInterface.evidence] };
  return {
    zone: defaultZone,
    boundBy: 'default',
    evidence: [bySource.evidence, byInterface.evidence, ...firewalldEvidence],
  };
}

function describeBinding(classified: Classification, subnet: string, bridge: string): string {
  if (classified.boundBy === 'source') return `The subnet ${subnet} is bound to zone ${classified.zone}.`;
  if (classified.boundBy === 'interface')
    return `No zone has ${subnet} as a source, and ${bridge} is bound to zone ${classified.zone}.`;
  return `No zone has ${subnet} as a source or ${bridge} as an interface, so firewalld uses its default zone ${classified.zone}.`;
}

function fixCommands(
  network: ContainerNetwork,
  subnet: string,
  classified: Classification,
  zone: FirewalldZone,
  withSystemd: boolean,
): string[] {
  const commands: string[] = [];
  // A source belongs to one zone only: the engine cannot bind it to an accepting zone while it is bound here.
  if (classified.boundBy === 'source')
    commands.push(
      shellLine(['firewall-cmd', `--zone=${zone.name}`, `--remove-source=${subnet}`]),
      shellLine(['firewall-cmd', '--permanent', `--zone=${zone.name}`, `--remove-source=${subnet}`]),
    );
  if (network.engine === 'podman') {
    commands.push('podman network reload --all');
    if (withSystemd) commands.push('systemctl enable --now netavark-firewalld-reload.service');
    return commands;
  }
  commands.push(
    shellLine(['firewall-cmd', '--zone=docker', `--change-interface=${network.bridge!}`]),
    shellLine(['firewall-cmd', '--permanent', '--zone=docker', `--change-interface=${network.bridge!}`]),
  );
  return commands;
}
