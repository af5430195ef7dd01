import { buildTutorial, getFrom, must, pingFrom, tutorial } from '../lib/handmade.js';
import type { BrokenScenario } from '../scenario.js';

const NET = tutorial('ndl-hm', 4);

export default {
  kind: 'broken',
  name: 'netns-no-masquerade',
  ids: ['netns.no_masquerade'],
  description: `the tutorial's network without its MASQUERADE rule for ${NET.subnet}: 198.51.100.2 has no route back to it`,
  identity: 'root',
  async setup(lab) {
    await buildTutorial(lab, NET, { masquerade: false });
  },
  async proveBroken() {
    return [must(await getFrom(NET.red), 'fail'), must(await pingFrom(NET.red, NET.blueAddress), 'pass')].join('; ');
  },
  expect: () => [
    {
      id: 'netns.no_masquerade',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.red, NET.blue] },
      title: new RegExp(
        `Subnet ${NET.subnet.replace(/\./g, '\\.')} of bridge ${NET.bridge} is routed out through \\S+ without masquerading`,
      ),
    },
  ],
  // `iptables -t nat -A POSTROUTING -s 10.231.4.0/24 '!' -o ndl-hm-br -j MASQUERADE` (the restore removes it).
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed() {
    return [must(await getFrom(NET.red), 'pass'), must(await getFrom(NET.blue), 'pass')].join('; ');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
