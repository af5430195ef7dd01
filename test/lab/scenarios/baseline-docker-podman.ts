import type { BaselineScenario } from '../scenario.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';

const DOCKER_NET = 'ndl-bmd';
const PODMAN_NET = 'ndl-bmp';

export default {
  kind: 'baseline',
  name: 'baseline-docker-podman',
  description:
    "docker and rootful podman on one host at once (docker's FORWARD policy DROP in force): both user networks resolve names and reach 198.51.100.2",
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.docker, DOCKER_NET);
    await pair(lab, lab.podman, PODMAN_NET);
  },
  async proveHealthy(lab) {
    const policy =
      (await lab.mustRoot(['iptables', '-w', '5', '-S', 'FORWARD']))
        .split('\n')
        .find((line) => line.startsWith('-P FORWARD')) ?? '';
    return `${await proveHealthyPair(lab, lab.docker, DOCKER_NET)}; ${await proveHealthyPair(lab, lab.podman, PODMAN_NET)}; ${policy}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
