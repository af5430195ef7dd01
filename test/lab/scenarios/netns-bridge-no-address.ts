import { buildTutorial, getFrom, must, pingFrom, tutorial } from '../lib/handmade.js';
import type { BrokenScenario } from '../scenario.js';

const NET = tutorial('ndl-ha', 3);

export default {
  kind: 'broken',
  name: 'netns-bridge-no-address',
  ids: ['netns.bridge_no_address'],
  description: `the tutorial's network, then \`ip addr del ${NET.gateway}/24 dev ${NET.bridge}\`: the namespaces' gateway is gone`,
  identity: 'root',
  async setup(lab) {
    await buildTutorial(lab, NET);
    must(await getFrom(NET.red), 'pass');
    await lab.mustRoot(['ip', 'addr', 'del', `${NET.gateway}/24`, 'dev', NET.bridge]);
  },
  async proveBroken() {
    return [
      must(await getFrom(NET.red), 'fail'),
      must(await pingFrom(NET.red, NET.gateway), 'fail'),
      must(await pingFrom(NET.red, NET.blueAddress), 'pass'),
    ].join('; ');
  },
  expect: () => [
    {
      id: 'netns.bridge_no_address',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.red, NET.blue] },
      title: new RegExp(`Bridge ${NET.bridge} lacks ${NET.gateway.replace(/\./g, '\\.')}`),
    },
  ],
  // `ip addr add 10.231.3.1/24 dev ndl-ha-br`.
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed() {
    return [must(await getFrom(NET.red), 'pass'), must(await getFrom(NET.blue), 'pass')].join('; ');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
