import { dockerContainers, dockerNetworks, dockerState } from '../../src/facts/docker.js';
import { runningOn, type Container, type ContainerNetwork } from '../../src/facts/model.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

function internalNetworkFinding(network: ContainerNetwork, members: Container[], cli: string): Finding {
  const names = members.map((container) => container.name);
  const egressNetwork = `${network.name}-egress`;
  return finding('net.internal_network', {
    subject: { engine: network.engine, scope: network.scope, network: network.name, containers: names },
    title: `${network.engine} network "${network.name}" is internal: no route out of it`,
    detail: names.length > 0 ? `Containers on it: ${names.join(', ')}.` : 'No running container uses it now.',
    evidence: [
      {
        source: 'command',
        what: `${cli} network inspect ${network.name}`,
        excerpt: `${network.engine === 'docker' ? '"Internal": true' : '"internal": true'}; subnets: ${network.subnets.map((subnet) => subnet.subnet).join(', ') || 'none'}`,
      },
    ],
    fix: {
      commands: [
        shellLine([cli, 'network', 'create', ...operands(egressNetwork)]),
        ...(names.length > 0 ? names : ['CONTAINER']).map((name) =>
          shellLine([cli, 'network', 'connect', ...operands(egressNetwork, name)]),
        ),
      ],
      summary: `Only if a container needs the outside: connect it to a second, non-internal network (here "${egressNetwork}"); the internal network keeps isolating the rest.`,
    },
  });
}

const FINDINGS = {
  'net.internal_network': {
    severity: 'info',
    title: 'An internal network: its containers cannot reach anything outside it',
    explanation:
      "The network was created as internal: it has no route out and no masquerading, so its containers reach each other but neither the host's other networks nor the outside, and nothing outside reaches them. Outside names may resolve while connections to them fail. This is by design, not a fault.",
    cause:
      'The network was created with --internal (docker network create --internal, podman network create --internal).',
    fix: 'Connect containers that need the outside to a second, non-internal network as well, or recreate the network without --internal.',
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'net.internal',
  title: 'Internal networks (no way out by design)',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/reference/cli/docker/network/create/#internal',
  async run({ facts }) {
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    const engines = [
      { usable: docker.kind === 'ok', cli: 'docker', networks: dockerNetworks, containers: dockerContainers },
      { usable: podman.kind === 'ok', cli: 'podman', networks: podmanNetworks, containers: podmanContainers },
    ].filter((engine) => engine.usable);
    if (engines.length === 0) return notApplicable('no usable container engine');
    const findings: Finding[] = [];
    const limits: string[] = [];
    const checked: string[] = [];
    for (const engine of engines) {
      const [networks, containers] = await Promise.all([facts.get(engine.networks), facts.get(engine.containers)]);
      if (!networks.ok) {
        limits.push(networks.reason);
        continue;
      }
      if (!containers.ok) limits.push(containers.reason);
      checked.push(`${networks.items.length} ${engine.cli} network(s)`);
      for (const network of networks.items.filter((candidate) => candidate.internal)) {
        const members = containers.ok ? runningOn(containers.items, [network.name]) : [];
        findings.push(internalNetworkFinding(network, members, engine.cli));
      }
    }
    if (checked.length === 0) return cannotDecide(limits.join('; '));
    const internal = findings.map((item) => item.subject.network).join(', ');
    return verdict(findings, `${checked.join(', ') || 'no network listed'}; internal: ${internal || 'none'}`, limits);
  },
} satisfies Check;
