import { dockerDaemon, restartDockerdCommands } from '../../src/facts/docker-daemon.js';
import { systemdRunning } from '../../src/facts/files.js';
import type { Facts } from '../../src/core/facts.js';
import { dockerContainers, dockerNetworks, dockerState } from '../../src/facts/docker.js';
import { runningOn, type ContainerNetwork } from '../../src/facts/model.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const ICC_OPTION = 'com.docker.network.bridge.enable_icc';

async function iccFinding(network: ContainerNetwork, members: string[], facts: Facts): Promise<Finding> {
  const evidence: Evidence[] = [
    { source: 'command', what: `docker network inspect ${network.name}`, excerpt: `"${ICC_OPTION}": "false"` },
  ];
  const commands: string[] = [];
  let summary: string;
  if (network.isDefault) {
    const [daemon, systemd] = await Promise.all([facts.get(dockerDaemon), facts.get(systemdRunning)]);
    const setting = daemon.ok ? daemon.config.switches.icc : undefined;
    if (daemon.ok && setting?.source === 'file') {
      const path = daemon.config.configPath;
      evidence.push(fileEvidence(path, setting.excerpt));
      commands.push(
        `jq 'del(.icc)' ${path} > ${path}.new && mv ${path}.new ${path}`,
        ...restartDockerdCommands(daemon.config.process, systemd),
      );
    } else if (daemon.ok && setting?.source === 'flag') {
      evidence.push({
        source: 'process',
        what: `/proc/${daemon.config.process.pid}/cmdline (dockerd)`,
        excerpt: setting.excerpt,
      });
      commands.push(...restartDockerdCommands(daemon.config.process, systemd, [setting.excerpt]));
    }
    const alternative = `put the containers that talk to each other on a user-defined network, where icc is on: docker network create app; ${members.map((name) => shellLine(['docker', 'network', 'connect', 'app', ...operands(name)])).join('; ') || 'docker run --network app ...'}`;
    summary =
      commands.length > 0
        ? `Turn icc back on and restart dockerd (running containers stop with it), or ${alternative}.`
        : `${alternative.charAt(0).toUpperCase()}${alternative.slice(1)}.`;
    if (commands.length === 0)
      commands.push(
        'docker network create app',
        ...members.map((name) => shellLine(['docker', 'network', 'connect', 'app', ...operands(name)])),
      );
  } else {
    const subnets = network.subnets.flatMap((subnet) => ['--subnet', subnet.subnet]);
    commands.push(
      ...members.map((name) => shellLine(['docker', 'network', 'disconnect', ...operands(network.name, name)])),
      shellLine(['docker', 'network', 'rm', ...operands(network.name)]),
      shellLine(['docker', 'network', 'create', ...subnets, ...operands(network.name)]),
      ...members.map((name) => shellLine(['docker', 'network', 'connect', ...operands(network.name, name)])),
    );
    summary = `Recreate "${network.name}" without -o ${ICC_OPTION}=false and reconnect its containers.`;
  }
  return finding('docker.icc_disabled', {
    severity: members.length > 0 ? 'error' : 'warning',
    subject: {
      engine: 'docker',
      scope: network.scope,
      network: network.name,
      containers: members,
      ...(network.bridge ? { interface: network.bridge } : {}),
    },
    title:
      members.length > 0
        ? `Containers on docker network "${network.name}" cannot reach each other (icc off)`
        : `Docker network "${network.name}" has icc off (no container uses it now)`,
    detail:
      members.length > 0
        ? `Containers on it: ${members.join(', ')}.`
        : 'Containers attached to it later will not reach each other.',
    evidence,
    fix: { commands, summary },
  });
}

const FINDINGS = {
  'docker.icc_disabled': {
    severity: 'error',
    title: 'Inter-container communication is turned off on a Docker network',
    explanation:
      'The network has enable_icc=false (daemon-wide "icc": false or --icc=false for the default bridge): dockerd adds a firewall rule that drops every packet from one container to another on this bridge. Containers on it reach the outside and published ports, but not each other, by address or by name.',
    cause:
      'A hardening guide (CIS Docker benchmark 2.1 recommends icc=false), or a network created with -o com.docker.network.bridge.enable_icc=false.',
    fix: 'Put containers that must talk to each other on a user-defined network with icc on (the default); or remove "icc": false (or --icc=false) from dockerd and restart it; or recreate the user network without the option.',
    docs: 'https://docs.docker.com/engine/network/drivers/bridge/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'docker.icc',
  title: 'Inter-container communication on Docker networks',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/network/drivers/bridge/',
  async run({ facts }) {
    const docker = await facts.get(dockerState);
    if (docker.kind === 'absent' || docker.kind === 'client-only')
      return notApplicable('the docker engine is not installed');
    if (docker.kind !== 'ok') return cannotDecide(docker.reason);
    const [networks, containers] = await Promise.all([facts.get(dockerNetworks), facts.get(dockerContainers)]);
    if (!networks.ok) return cannotDecide(networks.reason);
    const bridges = networks.items.filter((network) => network.driver === 'bridge');
    if (bridges.length === 0) return notApplicable('no docker bridge network');
    const isolated = bridges.filter((network) => network.options[ICC_OPTION] === 'false');
    // Without the container list, the severity (error when containers use the network) would be a guess.
    if (isolated.length > 0 && !containers.ok) return cannotDecide(containers.reason);
    const findings: Finding[] = [];
    for (const network of isolated) {
      const members = containers.ok ? runningOn(containers.items, [network.name]) : [];
      findings.push(
        await iccFinding(
          network,
          members.map((container) => container.name),
          facts,
        ),
      );
    }
    const summary = `${bridges.length} docker bridge network(s); icc off on: ${isolated.map((network) => network.name).join(', ') || 'none'}`;
    return verdict(findings, summary);
  },
} satisfies Check;
