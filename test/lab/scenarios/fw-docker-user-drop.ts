import { egress, expectProbe } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { restoreChain, saveChain, recordFirewall } from './fw-common.js';

const NET = 'ndl-f2du';

export default {
  kind: 'broken',
  name: 'fw-docker-user-drop',
  ids: ['docker.docker_user_drop'],
  description:
    'a catch-all `iptables -I DOCKER-USER -j DROP`: docker containers lose 198.51.100.2 (replies and their own connections are dropped)',
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.docker, NET);
    expectProbe(await egress(lab.docker, `${NET}-a`), 'pass');
    lab.set('bridge', await lab.docker.bridge(NET));
    lab.set('docker-user', JSON.stringify(await saveChain(lab, 'DOCKER-USER')));
    await lab.mustRoot(['iptables', '-w', '5', '-I', 'DOCKER-USER', '-j', 'DROP']);
  },
  proveBroken: async (lab) => recordFirewall(lab, 'broken', expectProbe(await egress(lab.docker, `${NET}-a`), 'fail')),
  expect: () => [{ id: 'docker.docker_user_drop', severity: 'error', subject: { network: NET }, title: /DOCKER-USER/ }],
  // RELATED,ESTABLISHED accepted first, then the bridges' own traffic, before the drop.
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => recordFirewall(lab, 'fixed', expectProbe(await egress(lab.docker, `${NET}-a`), 'pass')),
  async restore(lab) {
    const saved = lab.maybe('docker-user');
    if (saved !== undefined) await restoreChain(lab, 'DOCKER-USER', JSON.parse(saved) as string[]);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
