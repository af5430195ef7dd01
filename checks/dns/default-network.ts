import { dockerContainers, dockerNetworks, dockerState } from '../../src/facts/docker.js';
import { runningOn, type Container, type ContainerNetwork } from '../../src/facts/model.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

function defaultNetworkFinding(
  network: ContainerNetwork,
  users: Container[],
  engineCli: string,
  commands: { networks: string; containers: string },
): Finding {
  const names = users.map((container) => container.name);
  const userNetwork = 'app';
  return finding('dns.default_network_no_dns', {
    severity: users.length > 0 ? 'warning' : 'info',
    subject: { engine: network.engine, scope: network.scope, network: network.name, containers: names },
    title:
      users.length > 0
        ? `${names.length} container(s) on the default ${network.engine} network "${network.name}", where names do not resolve`
        : `The default ${network.engine} network "${network.name}" has no DNS (no container uses it now)`,
    detail:
      users.length > 0
        ? `Containers on it: ${names.join(', ')}.`
        : 'Containers started without --network will land on it.',
    evidence: [
      {
        source: 'command',
        what: commands.networks,
        excerpt:
          network.engine === 'docker'
            ? `com.docker.network.bridge.default_bridge=${network.options['com.docker.network.bridge.default_bridge'] ?? ''}`
            : `dns_enabled: ${network.dnsEnabled}`,
      },
      ...users.map((container) => ({
        source: 'command' as const,
        what: commands.containers,
        excerpt: `${container.name} networks: ${container.networks.map((attachment) => attachment.network).join(', ')}`,
      })),
    ],
    fix: {
      commands: [
        shellLine([engineCli, 'network', 'create', ...operands(userNetwork)]),
        ...names.map((name) => shellLine([engineCli, 'network', 'connect', ...operands(userNetwork, name)])),
        // Connected to both, they would still sit on the default network: move them off it.
        ...names.map((name) => shellLine([engineCli, 'network', 'disconnect', ...operands(network.name, name)])),
      ],
      summary: `Move the containers that talk to each other to a user-defined network (here "${userNetwork}"), which has DNS; start new ones with --network ${userNetwork}.`,
    },
  });
}

const FINDINGS = {
  'dns.default_network_no_dns': {
    severity: 'warning',
    title: 'Containers on a default network cannot resolve each other by name',
    explanation:
      "Docker's default `bridge` network and Podman's default `podman` network have no name server for containers: names of other containers do not resolve there, only addresses work. Only user-defined networks get DNS.",
    cause: 'Containers were started without --network, so they joined the default network.',
    fix: 'Create a user-defined network and attach the containers that must talk to each other to it.',
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'dns.default-network',
  title: 'Containers on default networks without DNS',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/network/drivers/bridge/',
  async run({ facts }) {
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    const findings: Finding[] = [];
    const limits: string[] = [];
    const checked: string[] = [];
    const engines = [
      { usable: docker.kind === 'ok', cli: 'docker', networks: dockerNetworks, containers: dockerContainers },
      { usable: podman.kind === 'ok', cli: 'podman', networks: podmanNetworks, containers: podmanContainers },
    ];
    for (const engine of engines.filter((candidate) => candidate.usable)) {
      const [networks, containers] = await Promise.all([facts.get(engine.networks), facts.get(engine.containers)]);
      if (!networks.ok) {
        limits.push(networks.reason);
        continue;
      }
      if (!containers.ok) limits.push(containers.reason);
      for (const network of networks.items.filter((candidate) => candidate.isDefault && !candidate.dnsEnabled)) {
        const users = containers.ok ? runningOn(containers.items, [network.name]) : [];
        checked.push(`${engine.cli}/${network.name}: ${users.length} running container(s)`);
        // Without the container list, "nobody uses it" would be a guess: say nothing rather than an info.
        if (containers.ok)
          findings.push(
            defaultNetworkFinding(network, users, engine.cli, {
              networks: networks.command,
              containers: containers.command,
            }),
          );
      }
    }
    if (checked.length === 0 && limits.length === 0) return notApplicable('no usable engine with a default network');
    return verdict(findings, checked.join('; '), limits);
  },
} satisfies Check;
