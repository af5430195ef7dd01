import type { BaselineScenario } from '../scenario.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';

const NET = 'ndl-bd';

export default {
  kind: 'baseline',
  name: 'baseline-docker',
  description:
    "docker: two containers on a user network resolve each other through docker's embedded DNS and reach 198.51.100.2 through NAT",
  identity: 'root',
  generations: [1, 2],
  environment: ['docker'],
  async setup(lab) {
    await pair(lab, lab.docker, NET);
  },
  proveHealthy: (lab) => proveHealthyPair(lab, lab.docker, NET),
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
