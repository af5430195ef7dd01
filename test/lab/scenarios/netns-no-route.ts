import { buildTutorial, getFrom, must, tutorial } from '../lib/handmade.js';
import type { BrokenScenario } from '../scenario.js';

const NET = tutorial('ndl-hr', 2);

export default {
  kind: 'broken',
  name: 'netns-no-route',
  ids: ['netns.no_route'],
  description: `the tutorial's network, then \`ip -n ${NET.red} route del default\`: ${NET.blue} still goes out via ${NET.gateway}`,
  identity: 'root',
  async setup(lab) {
    await buildTutorial(lab, NET);
    must(await getFrom(NET.red), 'pass');
    await lab.mustRoot(['ip', '-n', NET.red, 'route', 'del', 'default']);
  },
  async proveBroken() {
    return [must(await getFrom(NET.red), 'fail'), must(await getFrom(NET.blue), 'pass')].join('; ');
  },
  expect: () => [
    {
      id: 'netns.no_route',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.red] },
      title: new RegExp(
        `Namespace ${NET.red} has no default route; ${NET.blue} on bridge ${NET.bridge} goes out via ${NET.gateway.replace(/\./g, '\\.')}`,
      ),
    },
  ],
  // `ip -n ndl-hr-red route add default via 10.231.2.1`.
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async () => must(await getFrom(NET.red), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
