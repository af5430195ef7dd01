import { sysctl } from '../../src/facts/files.js';
import { podmanPortRequests } from '../../src/facts/podman-ports.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine, writeFileLine } from '../../src/core/shell.js';

const FINDINGS = {
  'rootless.privileged_port': {
    severity: 'warning',
    title: 'Rootless containers ask for host ports below ip_unprivileged_port_start',
    explanation:
      'A rootless container publishes a host port below net.ipv4.ip_unprivileged_port_start (1024 by default). Only root may bind those ports, so podman cannot open it for this user: the container fails to start ("rootlessport cannot expose privileged port 80 ... bind: permission denied") and nothing answers on that port.',
    cause:
      'A port below 1024 (80, 443, 53) published by a rootless user, on a host that keeps the kernel default of 1024.',
    fix: 'Lower net.ipv4.ip_unprivileged_port_start to the lowest port needed (and persist it in /etc/sysctl.d), or publish a port of 1024 or above and redirect to it, or run the container rootful.',
    docs: 'https://github.com/containers/podman/blob/main/rootless.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.privileged-port',
  title: 'Rootless published ports below ip_unprivileged_port_start',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/rootless.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    const [start, requests] = await Promise.all([
      facts.get(sysctl('net.ipv4.ip_unprivileged_port_start')),
      facts.get(podmanPortRequests),
    ]);
    if (!start.ok) return cannotDecide(start.reason);
    if (!requests.ok) return cannotDecide(requests.reason);
    const threshold = Number(start.value.raw);
    if (!Number.isInteger(threshold))
      return cannotDecide(`${start.value.path} holds "${start.value.raw}", not a port number`);
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
            {
              source: 'command',
              what: requests.command,
              excerpt: privileged
                .map(
                  (request) =>
                    `${request.container}: ${request.hostPort}->${request.containerPort}/${request.protocol} (${request.state})`,
                )
                .join('\n'),
            },
          ],
          fix: {
            commands: [
              `sysctl -w net.ipv4.ip_unprivileged_port_start=${lowest}`,
              writeFileLine('/etc/sysctl.d/99-rootless-ports.conf', [
                `net.ipv4.ip_unprivileged_port_start = ${lowest}`,
              ]),
              shellLine(['podman', 'start', ...operands(...containers)]),
            ],
            summary: `As root, let unprivileged users bind ports from ${lowest} up (and persist it), then start the containers again as ${host.context.user}; or publish ports of ${threshold} or above instead.`,
          },
        }),
      ],
      `ip_unprivileged_port_start ${threshold}; ${privileged.length} of ${published} published port(s) below it`,
    );
  },
} satisfies Check;
