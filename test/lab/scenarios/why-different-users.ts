import { expectProbe, lookup } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { aardvarkReaped, byName, db, provedFixed, reachableNow, startPair, web, whyCommand } from './why-common.js';

const P = 'ndl-wdu';
const NET = `${P}-net`;

export default {
  kind: 'broken',
  name: 'why-different-users',
  ids: ['pair.different_engines'],
  description: `${web(P)} runs in root's podman on ${NET}, ${db(P)} in ndlab's rootless podman: netdoctor as root sees ${db(P)} only through its conmon`,
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await lab.podman.network(NET);
    await aardvarkReaped(lab.podman);
    await lab.rootless.startWeb(db(P), []);
    await lab.podman.start(web(P), ['--network', NET]);
  },
  async proveBroken(lab) {
    return expectProbe(await lookup(lab.podman, web(P), db(P), await lab.podman.gateway(NET), 3), 'fail');
  },
  expect: () => [
    {
      id: 'pair.different_engines',
      severity: 'error',
      subject: { containers: [web(P), db(P)] },
      title: new RegExp(`${web(P)} is a rootful podman container, ${db(P)} is a rootless podman container of ndlab`),
    },
  ],
  fix: {
    kind: 'manual',
    reason:
      "the printed command shows how ndlab created the container; the fix its summary gives is to recreate it with root's podman on the network of the other",
    async apply(lab) {
      await lab.rootless.remove(db(P));
      await lab.podman.remove(web(P));
      await startPair(lab.podman, P, ['--network', NET]);
      return `${db(P)} recreated with root's podman on ${NET} (then ${web(P)})`;
    },
  },
  proveFixed: (lab) => provedFixed(lab, byName(lab.podman, P, NET)),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
