import { sysctl } from '../../src/facts/files.js';
import { podmanPortRequests } from '../../src/facts/podman-ports.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { fileEvidence, finding } from '../../src/finding.js';
import { cannotDecide, verdict } from '../../src/outcome.js';
import type { Check } from '../../src/types.js';

export default {
  id: 'rootless.privileged-port',
  title: 'Rootless published ports below ip_unprivileged_port_start',
  findings: ['rootless.privileged_port'],
  docs: 'https://github.com/containers/podman/blob/main/rootless.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return rootless.outcome;
    const [start, requests] = await Promise.all([facts.get(sysctl('net.ipv4.ip_unprivileged_port_start')), facts.get(podmanPortRequests)]);
    if (!start.ok) return cannotDecide(start.reason);
    if (!requests.ok) return cannotDecide(requests.reason);
    const threshold = Number(start.value.raw);
    if (!Number.isInteger(threshold)) return cannotDecide(`${start.value.path} holds "${start.value.raw}", not a port number`);
    const privileged = requests.items.filter((request) => request.hostPort > 0 && request.hostPort < threshold);
    const published = requests.items.length;
    if (privileged.length === 0) return verdict([], `${published} published port(s), none below ${threshold}`);
    const lowest = Math.min(...privileged.map((request) => request.hostPort));
    const containers = [...new Set(privileged.map((request) => request.container))];
    return verdict(
      [
        finding('rootless.privileged_port', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user, containers },
          title: `${host.context.user}'s containers ask for host port${privileged.length > 1 ? 's' : ''} ${[...new Set(privileged.map((request) => request.hostPort))].join(', ')}, below ip_unprivileged_port_start ${threshold}`,
          detail: `Containers: ${privileged.map((request) => `${request.container} (${request.state}) ${request.hostIp ? `${request.hostIp}:` : ''}${request.hostPort}->${request.containerPort}/${request.protocol}`).join(', ')}.`,
          evidence: [
            fileEvidence(start.value.path, start.value.raw),
            { source: 'command', what: requests.command, excerpt: privileged.map((request) => `${request.container}: ${request.hostPort}->${request.containerPort}/${request.protocol} (${request.state})`).join('\n') },
          ],
          fix: {
            commands: [
              `sysctl -w net.ipv4.ip_unprivileged_port_start=${lowest}`,
              `printf 'net.ipv4.ip_unprivileged_port_start = ${lowest}\\n' > /etc/sysctl.d/99-rootless-ports.conf`,
              `podman start ${containers.join(' ')}`,
            ],
            summary: `As root, let unprivileged users bind ports from ${lowest} up (and persist it), then start the containers again as ${host.context.user}; or publish ports of ${threshold} or above instead.`,
          },
        }),
      ],
      `ip_unprivileged_port_start ${threshold}; ${privileged.length} of ${published} published port(s) below it`,
    );
  },
} satisfies Check;
