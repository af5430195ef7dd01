import { LabError, brief } from '../lib/exec.js';
import { expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { byAddress, byName, db, provedFixed, reachableNow, startPair, web, whyCommand } from './why-common.js';

const P = 'ndl-wlo';
const NET = `${P}-net`;
const SERVE = ['httpd', '-f', '-h', '/www', '-p'];

export default {
  kind: 'broken',
  name: 'why-loopback-only',
  ids: ['pair.tcp_port_closed'],
  description: `podman: ${db(P)} serves /ok on 127.0.0.1:80 only; ${web(P)} on the same network is refused`,
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await lab.podman.network(NET);
    await startPair(lab.podman, P, ['--network', NET], [...SERVE, '127.0.0.1:80']);
  },
  async proveBroken(lab) {
    const inside = await lab.podman.exec(db(P), ['timeout', '4', 'wget', '-q', '-O-', 'http://127.0.0.1/ok']);
    if (inside.stdout.trim() !== 'ok')
      throw new LabError(`${db(P)} does not serve itself on 127.0.0.1 (${brief(inside)})`);
    return `${expectProbe(await byAddress(lab.podman, P, NET), 'fail')}; ${db(P)} gets its own http://127.0.0.1/ok`;
  },
  expect: () => [
    {
      id: 'pair.tcp_port_closed',
      severity: 'error',
      subject: { engine: 'podman', containers: [web(P), db(P)] },
      title: new RegExp(`${db(P)}:80 cannot be reached from ${web(P)}: ${db(P)} listens on 127\\.0\\.0\\.1:80 only`),
    },
  ],
  fix: {
    kind: 'manual',
    reason:
      "the fix is in the service's own configuration (listen on 0.0.0.0, as the summary says); the printed command only shows what it listens on",
    async apply(lab) {
      await lab.podman.remove(web(P), db(P));
      await startPair(lab.podman, P, ['--network', NET], [...SERVE, '80']);
      return `${db(P)} started again serving on 0.0.0.0:80 (then ${web(P)})`;
    },
  },
  proveFixed: (lab) => provedFixed(lab, byName(lab.podman, P, NET)),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
