import { expectProbe, lookup } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { byAddress, byName, db, provedFixed, reachableNow, web, whyCommand } from './why-common.js';

const P = 'ndl-wns';
const FRONT = `${P}-front`;
const BACK = `${P}-back`;

export default {
  kind: 'broken',
  name: 'why-no-shared-network',
  ids: ['pair.no_shared_network'],
  description: `docker: ${web(P)} on ${FRONT}, ${db(P)} on ${BACK}; docker isolates the two networks, so A reaches B neither by name nor by address`,
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await lab.docker.network(FRONT);
    await lab.docker.network(BACK);
    await lab.docker.startWeb(db(P), ['--network', BACK]);
    await lab.docker.start(web(P), ['--network', FRONT]);
  },
  async proveBroken(lab) {
    const address = expectProbe(await byAddress(lab.docker, P, BACK), 'fail');
    const name = expectProbe(await lookup(lab.docker, web(P), db(P), '127.0.0.11', 3), 'fail');
    return `${address}; ${name}`;
  },
  expect: () => [
    {
      id: 'pair.no_shared_network',
      severity: 'error',
      subject: { engine: 'docker', containers: [web(P), db(P)] },
      title: new RegExp(`share no network \\(${web(P)} is on ${FRONT}, ${db(P)} on ${BACK}\\)`),
    },
  ],
  // `docker network connect ndl-wns-back ndl-wns-web`.
  fix: { kind: 'printed', runAs: 'identity' },
  proveFixed: (lab) => provedFixed(lab, byName(lab.docker, P, BACK)),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
