import { podmanContainers } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { finding } from '../../src/finding.js';
import { cannotDecide, verdict } from '../../src/outcome.js';
import type { Check } from '../../src/types.js';

/** slirp4netns gives every rootless container this address inside its own namespace. */
const SLIRP_ADDRESS = '10.0.2.100';

export default {
  id: 'rootless.container-ip',
  title: 'Reaching rootless containers from the host',
  findings: ['rootless.container_ip_unroutable_from_host'],
  docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return rootless.outcome;
    const containers = await facts.get(podmanContainers);
    if (!containers.ok) return cannotDecide(containers.reason);
    const running = containers.items.filter((container) => container.running);
    if (running.length === 0) return verdict([], 'no running rootless container');
    const addressed = running.map((container) => {
      const addresses = container.networks.map((attachment) => attachment.ipAddress).filter((address) => address !== undefined);
      const ports = container.publishedPorts.map((port) => `${port.hostIp ?? '0.0.0.0'}:${port.hostPort}->${port.containerPort}/${port.protocol}`);
      return { container, addresses: addresses.length > 0 ? addresses : container.networkMode === 'slirp4netns' ? [SLIRP_ADDRESS] : [], ports };
    });
    const unpublished = addressed.filter((entry) => entry.ports.length === 0).map((entry) => entry.container.name);
    return verdict(
      [
        finding('rootless.container_ip_unroutable_from_host', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user, containers: running.map((container) => container.name) },
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
