import { podmanContainers } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.podman.io/en/latest/markdown/podman-run.1.html#network-mode-net';

const FINDINGS = {
  'rootless.pasta_host_address': {
    severity: 'info',
    title: "In pasta containers the host's address is the container's own",
    explanation:
      "pasta gives a rootless container a copy of the host's uplink: the same interface name, the same address and routes. Inside the container the host's IP is therefore the container itself: a connection to it meets the container's own ports (refused, or the wrong service), never the host. Podman maps the host for the container at `host.containers.internal` (also `host.docker.internal`, 169.254.1.2, pasta's `--map-guest-addr`); pasta's `--map-gw` option (`pasta_options` in containers.conf) makes the gateway address reach the host instead.",
    cause: 'podman 5 runs rootless containers with pasta by default (`default_rootless_network_cmd`).',
    fix: "Reach a service on the host as `host.containers.internal` from inside the container, not by the host's IP address; the service must listen on an address other than loopback or on all of them.",
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.pasta-host-address',
  title: "The host's address inside pasta containers",
  findings: FINDINGS,
  docs: DOCS,
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    if (rootless.info.rootlessNetworkCmd !== 'pasta' || rootless.info.pastaExecutable === '')
      return notApplicable('rootless podman does not run containers with pasta here');
    const listing = await facts.get(podmanContainers);
    if (!listing.ok) return cannotDecide(listing.reason);
    const names = listing.items
      .filter((container) => container.running && container.networkMode === 'pasta')
      .map((container) => container.name);
    if (names.length === 0) return notApplicable('no running container uses pasta');
    return verdict(
      [
        finding('rootless.pasta_host_address', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user, containers: names },
          title: `${names.length} container(s) on pasta: the host is host.containers.internal there, not the host's IP`,
          evidence: [
            {
              source: 'command',
              what: 'podman info --format json',
              excerpt: `host.rootlessNetworkCmd: "pasta", host.pasta.executable: "${rootless.info.pastaExecutable}"`,
            },
            {
              source: 'command',
              what: listing.command,
              excerpt: `HostConfig.NetworkMode "pasta": ${names.join(', ')}`,
            },
          ],
          fix: { commands: [] },
        }),
      ],
      `${names.length} running container(s) on pasta`,
    );
  },
} satisfies Check;
