import type { BaselineScenario } from '../scenario.js';
import { expectProbe, egress } from '../lib/probes.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';

const NET = 'ndl-brl';

export default {
  kind: 'baseline',
  name: 'baseline-rootless',
  description:
    "ndlab's rootless podman: a user network in the rootless netns (names via its aardvark-dns, egress), and a slirp4netns container reaching 198.51.100.2",
  identity: 'ndlab',
  async setup(lab) {
    await pair(lab, lab.rootless, NET);
    await lab.rootless.start('ndl-brl-slirp', []);
  },
  async proveHealthy(lab) {
    const network = await proveHealthyPair(lab, lab.rootless, NET);
    const slirp = expectProbe(await egress(lab.rootless, 'ndl-brl-slirp'), 'pass');
    return `${network}; slirp4netns: ${slirp}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
