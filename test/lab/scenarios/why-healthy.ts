import type { BaselineScenario } from '../scenario.js';
import { byName, startPair, whyCommand, whyReachable } from './why-common.js';

const P = 'ndl-wok';
const NET = `${P}-net`;

export default {
  kind: 'baseline',
  name: 'why-healthy',
  description: 'podman: two containers on one network; why must call the pair reachable, with no error',
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await lab.podman.network(NET);
    await startPair(lab.podman, P, ['--network', NET]);
  },
  async proveHealthy(lab) {
    return `${await byName(lab.podman, P, NET)}; ${await whyReachable(lab, whyCommand(P)())}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
