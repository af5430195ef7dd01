import { egress, expectProbe, http } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, remember } from '../lib/traffic.js';

const NET = 'ndl-p2icc';

export default {
  kind: 'broken',
  name: 'docker-icc-off',
  ids: ['docker.icc_disabled'],
  description:
    'a docker network created with com.docker.network.bridge.enable_icc=false: its containers reach the outside host, not each other',
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.docker, NET, ['-o', 'com.docker.network.bridge.enable_icc=false']);
  },
  async proveBroken(lab) {
    const peer = expectProbe(await http(lab.docker, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'fail');
    const outside = expectProbe(await egress(lab.docker, `${NET}-a`), 'pass');
    return `${peer}; ${outside}`;
  },
  expect: () => [
    {
      id: 'docker.icc_disabled',
      severity: 'error',
      subject: { engine: 'docker', network: NET, containers: [`${NET}-a`, `${NET}-b`] },
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      await remember(lab, lab.docker, NET, NET);
      return 'addresses read again';
    },
  },
  proveFixed: async (lab) =>
    expectProbe(await http(lab.docker, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
