import type { BaselineScenario } from '../scenario.js';
import { expectProbe, egress } from '../lib/probes.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';

const NET = 'ndl-brl';
/** A container on the default rootless network: slirp4netns on generation 1, pasta on generation 2. */
const DEFAULT_NETWORK_CONTAINER = 'ndl-brl-default';

export default {
  kind: 'baseline',
  name: 'baseline-rootless',
  description:
    "ndlab's rootless podman: a user network in the rootless netns (names via its aardvark-dns, egress), and a container on the default rootless network reaching 198.51.100.2 (gen1: slirp4netns; gen2: pasta, slirp4netns not installed); dockerd runs beside it on both",
  identity: 'ndlab',
  generations: [1, 2],
  // As on generation 1, where dockerd always runs: ndlab on a host that also runs docker.
  environment: ['docker'],
  async setup(lab) {
    await pair(lab, lab.rootless, NET);
    await lab.rootless.start(DEFAULT_NETWORK_CONTAINER, []);
  },
  async proveHealthy(lab) {
    const network = await proveHealthyPair(lab, lab.rootless, NET);
    const outside = expectProbe(await egress(lab.rootless, DEFAULT_NETWORK_CONTAINER), 'pass');
    // podman 4.3 has only slirp4netns and no RootlessNetworkCmd in its info; podman 5 says which it uses.
    const command =
      lab.generation === 2
        ? await lab.rootless.must(['info', '--format', '{{.Host.RootlessNetworkCmd}}'])
        : 'slirp4netns';
    return `${network}; default network (${command}): ${outside}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
