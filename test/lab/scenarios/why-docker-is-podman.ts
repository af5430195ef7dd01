import { LabError, brief, ok } from '../lib/exec.js';
import type { BaselineScenario } from '../scenario.js';
import { installDockerWrapper } from './docker-wrapper.js';
import { byName, db, startPair, web, whyCommand, whyReachable } from './why-common.js';

const P = 'ndl-wdp';
const NET = `${P}-net`;

/**
 * `netdoctor why` on a host whose `docker` is podman (a wrapper first on PATH, as podman-docker's): the docker
 * command lists the same containers as podman, and why must still find the pair once and call it reachable.
 */
export default {
  kind: 'baseline',
  name: 'why-docker-is-podman',
  description:
    'a `docker` that runs podman first on PATH, two podman containers on one network; why must call the pair reachable, with no error',
  identity: 'root',
  generations: [1, 2],
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await installDockerWrapper(lab);
    await lab.podman.network(NET);
    await startPair(lab.podman, P, ['--network', NET]);
  },
  async proveHealthy(lab) {
    const listed = await lab.root(['docker', 'ps', '--format', '{{.Names}}']);
    const names = listed.stdout.split('\n');
    if (!ok(listed) || !names.includes(web(P)) || !names.includes(db(P)))
      throw new LabError(`docker ps (the wrapper) did not list ${web(P)} and ${db(P)} (${brief(listed)})`);
    const traffic = await byName(lab.podman, P, NET);
    return `docker ps lists podman's ${web(P)} and ${db(P)}; ${traffic}; ${await whyReachable(lab, whyCommand(P)())}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
