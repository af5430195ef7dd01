import { expectProbe } from '../lib/probes.js';
import { appNetworkFix } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { byAddress, byName, db, provedFixed, reachableNow, startPair, web, whyCommand } from './why-common.js';

const P = 'ndl-wic';
const NET = `${P}-net`;
const APP = `${P}-app`;

export default {
  kind: 'broken',
  name: 'why-icc-off',
  ids: ['pair.tcp_port_closed'],
  description: `docker: ${web(P)} and ${db(P)} on ${NET}, created with enable_icc=false: docker drops every packet between them`,
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await lab.docker.network(NET, ['-o', 'com.docker.network.bridge.enable_icc=false']);
    await startPair(lab.docker, P, ['--network', NET]);
  },
  proveBroken: async (lab) => expectProbe(await byAddress(lab.docker, P, NET), 'fail'),
  expect: () => [
    {
      id: 'pair.tcp_port_closed',
      severity: 'error',
      subject: { engine: 'docker', containers: [web(P), db(P)] },
      title: new RegExp(
        `${db(P)}:80 cannot be reached from ${web(P)}: packets to [\\d.]+:80 are dropped: inter-container communication is off on docker network ${NET}`,
      ),
    },
  ],
  fix: appNetworkFix((lab) => lab.docker, APP),
  proveFixed: (lab) => provedFixed(lab, byName(lab.docker, P, APP)),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
