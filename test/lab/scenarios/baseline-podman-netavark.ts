import type { BaselineScenario } from '../scenario.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';

const NET = 'ndl-bnv';

export default {
  kind: 'baseline',
  name: 'baseline-podman-netavark',
  description:
    "rootful podman with netavark: two containers on a user network resolve each other by name (aardvark-dns) and reach 198.51.100.2 through NAT (gen2: netavark's default firewall driver, nftables on Debian 13)",
  identity: 'root',
  generations: [1, 2],
  async setup(lab) {
    await pair(lab, lab.podman, NET);
  },
  proveHealthy: (lab) => proveHealthyPair(lab, lab.podman, NET),
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
