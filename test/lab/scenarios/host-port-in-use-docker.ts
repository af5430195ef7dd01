import { LabError } from '../lib/exec.js';
import { expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { hostHttp } from './failure-modes-common.js';

const HOLDER = 'ndl-hpd-hold';
const NAME = 'ndl-hpd-web';
const PORT = 18432;
const URL = `http://127.0.0.1:${PORT}/ok`;

export default {
  kind: 'broken',
  name: 'host-port-in-use-docker',
  ids: ['net.host_port_in_use'],
  description: `a rootful podman container publishes port ${PORT} (its conmon holds the port); then a docker container asks for the same port: docker-proxy cannot bind it and the container stays created`,
  identity: 'root',
  async setup(lab) {
    // The holder serves nothing on /ok (its httpd serves /proc): only the docker container answers "ok".
    await lab.podman.start(HOLDER, ['-p', `${PORT}:80`], ['httpd', '-f', '-p', '80', '-h', '/proc']);
    lab.set(
      'run',
      JSON.stringify(await lab.docker.tryRun(NAME, ['-p', `${PORT}:80`], ['httpd', '-f', '-p', '80', '-h', '/www'])),
    );
  },
  async proveBroken(lab) {
    const failed = expectFailure(
      JSON.parse(lab.get('run')),
      /listen tcp4 0\.0\.0\.0:18432: bind: address already in use/,
      `docker run -p ${PORT}:80`,
    );
    const state = await lab.docker.must(['inspect', NAME, '--format', '{{.State.Status}}']);
    if (state !== 'created') throw new LabError(`${NAME} is ${state}, not created`);
    return `${failed}; ${NAME} is ${state}; ${expectProbe(await hostHttp(lab, URL), 'fail')}`;
  },
  expect: () => [
    {
      id: 'net.host_port_in_use',
      severity: 'error',
      subject: { engine: 'docker', containers: [NAME] },
      title: /is published by podman container ndl-hpd-hold/,
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await hostHttp(lab, URL), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
