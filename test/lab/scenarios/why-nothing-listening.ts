import { ok, brief, LabError } from '../lib/exec.js';
import { expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { byAddress, byName, db, provedFixed, reachableNow, startPair, web, whyCommand } from './why-common.js';

const P = 'ndl-wnl';
const NET = `${P}-net`;

export default {
  kind: 'broken',
  name: 'why-nothing-listening',
  ids: ['pair.tcp_port_closed'],
  description: `podman: ${db(P)} runs but nothing in it listens on port 80 (why --port 80)`,
  identity: 'root',
  netdoctorCommand: whyCommand(P, '--port', '80'),
  async setup(lab) {
    await lab.podman.network(NET);
    await startPair(lab.podman, P, ['--network', NET], ['sleep', '600']);
  },
  proveBroken: async (lab) => expectProbe(await byAddress(lab.podman, P, NET), 'fail'),
  expect: () => [
    {
      id: 'pair.tcp_port_closed',
      severity: 'error',
      subject: { engine: 'podman', containers: [web(P), db(P)] },
      title: new RegExp(`${db(P)}:80 cannot be reached from ${web(P)}: nothing listens on port 80 in ${db(P)}`),
    },
  ],
  fix: {
    kind: 'manual',
    reason: 'the fix is to start the service, as the summary says; the printed commands show its log and its sockets',
    async apply(lab) {
      const started = await lab.podman.cmd(['exec', '-d', db(P), 'httpd', '-f', '-p', '80', '-h', '/www']);
      if (!ok(started)) throw new LabError(`could not start httpd in ${db(P)} (${brief(started)})`);
      return `httpd started in ${db(P)} on port 80`;
    },
  },
  proveFixed: (lab) => provedFixed(lab, byName(lab.podman, P, NET)),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
