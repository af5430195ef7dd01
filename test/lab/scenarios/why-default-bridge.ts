import { expectProbe } from '../lib/probes.js';
import { appNetworkFix, proveNoNames } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { byAddress, byName, db, provedFixed, reachableNow, startPair, web, whyCommand } from './why-common.js';

const P = 'ndl-wdb';
const APP = `${P}-app`;

export default {
  kind: 'broken',
  name: 'why-default-bridge',
  ids: ['pair.name_not_resolvable'],
  description: `docker: ${web(P)} and ${db(P)} on the default bridge reach each other by address, never by name`,
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  setup: (lab) => startPair(lab.docker, P, []),
  async proveBroken(lab) {
    const address = expectProbe(await byAddress(lab.docker, P, 'bridge'), 'pass');
    return `${address}; ${await proveNoNames(lab.docker, web(P), db(P), '127.0.0.11')}`;
  },
  expect: () => [
    {
      id: 'pair.name_not_resolvable',
      severity: 'error',
      subject: { engine: 'docker', containers: [web(P), db(P)] },
      title: new RegExp(`${web(P)} cannot resolve ${db(P)}: docker's default network bridge has no DNS`),
    },
  ],
  fix: appNetworkFix((lab) => lab.docker, APP),
  proveFixed: (lab) => provedFixed(lab, byName(lab.docker, P, APP)),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
