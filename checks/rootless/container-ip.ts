import { podmanContainers } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

/** slirp4netns gives every rootless container this address inside its own namespace. */
const SLIRP_ADDRESS = '10.0.2.100';

const FINDINGS = {
  'rootless.container_ip_unroutable_from_host': {
    severity: 'info',
    title: 'Rootless container addresses are not reachable from the host',
    explanation:
      "Rootless podman networks live inside the user's own network namespace (slirp4netns or pasta). Their addresses are not routed on the host, so the host, other users and other machines cannot reach a rootless container by its IP address: only published ports (-p) reach it. This is by design.",
    cause: 'Rootless networking: the container addresses exist only inside the rootless network namespace.',
    fix: 'Publish the ports that must be reachable and connect to the host address and port; put containers that talk to each other on one network of the same user, or in one pod.',
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.container-ip',
  title: 'Reaching rootless containers from the host',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    const containers = await facts.get(podmanContainers);
    if (!containers.ok) return cannotDecide(containers.reason);
    const running = containers.items.filter((container) => container.running);
    if (running.length === 0) return verdict([], 'no running rootless container');
    const addressed = running.map((container) => {
      const addresses = container.networks
        .map((attachment) => attachment.ipAddress)
        .filter((address) => address !== undefined);
      const ports = container.publishedPorts.map(
        (port) => `${port.hostIp ?? '0.0.0.0'}:${port.hostPort}->${port.containerPort}/${port.protocol}`,
      );
      return {
        container,
        addresses: addresses.length > 0 ? addresses : container.networkMode === 'slirp4netns' ? [SLIRP_ADDRESS] : [],
        ports,
      };
    });
    const unpublished = addressed.filter((entry) => entry.ports.length === 0).map((entry) => entry.container.name);
    return verdict(
      [
        finding('rootless.container_ip_unroutable_from_host', {
          subject: {
            engine: 'podman',
            scope: 'rootless',
            user: host.context.user,
            containers: running.map((container) => container.name),
          },
          detail:
            unpublished.length > 0
              ? `Containers with no published port, unreachable from outside the user's namespace: ${unpublished.join(', ')}.`
              : 'Every running container publishes at least one port.',
          evidence: addressed.map(({ container, addresses, ports }) => ({
            source: 'command' as const,
            what: `podman container inspect ${container.name}`,
            excerpt: `network mode ${container.networkMode}; addresses ${addresses.join(', ') || 'none'}; published ${ports.join(', ') || 'nothing'}`,
          })),
          fix: {
            summary:
              unpublished.length > 0
                ? `Recreate ${unpublished.join(', ')} with the service port published (-p HOSTPORT:PORT) and connect to the host address and that port; containers of the same user talk over one shared network or a pod. The command below lists what is published now.`
                : 'Connect to the host address and the published ports listed below, not to container addresses.',
            commands: ['podman port --all'],
          },
        }),
      ],
      `${running.length} running rootless container(s)`,
    );
  },
} satisfies Check;
