import type { BaselineScenario } from '../scenario.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';

const DOCKER_NET = 'ndl-bmd';
const PODMAN_NET = 'ndl-bmp';

export default {
  kind: 'baseline',
  name: 'baseline-docker-podman',
  description:
    "docker and rootful podman on one host at once: both user networks resolve names and reach 198.51.100.2. gen1: docker's FORWARD policy DROP in force (netavark 1.4's accepts sit in the same chain). gen2: docker 26 and podman 5 (netavark's nftables driver) on a host that forwards from boot, so dockerd leaves the policy ACCEPT (with DROP, see fw-docker-drop-netavark-nftables)",
  identity: 'root',
  generations: [1, 2],
  environment: ['docker', 'forwarding-at-boot'],
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
