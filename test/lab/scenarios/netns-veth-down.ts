import { buildTutorial, must, pingFrom, getFrom, tutorial } from '../lib/handmade.js';
import type { BrokenScenario } from '../scenario.js';

const NET = tutorial('ndl-hv', 1);

export default {
  kind: 'broken',
  name: 'netns-veth-down',
  ids: ['netns.veth_down'],
  description: `the tutorial's network (${NET.red}, ${NET.blue} on ${NET.bridge}), then \`ip link set ${NET.blueHost} down\`: the host end of ${NET.blue}'s veth`,
  identity: 'root',
  async setup(lab) {
    await buildTutorial(lab, NET);
    must(await pingFrom(NET.red, NET.blueAddress), 'pass');
    await lab.mustRoot(['ip', 'link', 'set', NET.blueHost, 'down']);
  },
  async proveBroken() {
    return [
      must(await pingFrom(NET.red, NET.blueAddress), 'fail'),
      must(await getFrom(NET.blue), 'fail'),
      must(await getFrom(NET.red), 'pass'),
    ].join('; ');
  },
  expect: () => [
    {
      id: 'netns.veth_down',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.blue], interface: NET.blueHost },
      title: new RegExp(`namespace ${NET.blue} and bridge ${NET.bridge} is down at ${NET.blueHost} \\(on the host`),
    },
  ],
  // `ip link set dev ndl-hv-vb up`.
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed() {
    return [must(await pingFrom(NET.red, NET.blueAddress), 'pass'), must(await getFrom(NET.blue), 'pass')].join('; ');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
