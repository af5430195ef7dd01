import { buildTutorial, proveTutorial, tutorial } from '../lib/handmade.js';
import type { BaselineScenario } from '../scenario.js';
import { whyReachable } from './why-common.js';

const NET = tutorial('ndl-wn', 8);
const WHY = ['why', `netns:${NET.red}`, `netns:${NET.blue}`];

export default {
  kind: 'baseline',
  name: 'why-netns-healthy',
  description: `the tutorial's network (${NET.red}, ${NET.blue} on ${NET.bridge}); why netns:${NET.red} netns:${NET.blue} must call it reachable, with no error`,
  identity: 'root',
  netdoctorCommand: () => WHY,
  setup: (lab) => buildTutorial(lab, NET),
  async proveHealthy(lab) {
    return `${await proveTutorial(NET)}; ${await whyReachable(lab, WHY)}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
