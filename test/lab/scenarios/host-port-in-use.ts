import { LabError } from '../lib/exec.js';
import { expectFailure, expectProbe } from '../lib/probes.js';
import { LAB_STATE } from '../lib/paths.js';
import type { BrokenScenario } from '../scenario.js';
import { hostHttp } from './failure-modes-common.js';

const NAME = 'ndl-hp-web';
const PORT = 18431;
const URL = `http://127.0.0.1:${PORT}/ok`;

export default {
  kind: 'broken',
  name: 'host-port-in-use',
  ids: ['net.host_port_in_use'],
  description: `a host web server (busybox httpd, started by the lab) listens on port ${PORT}; then a rootful podman container publishes -p ${PORT}:80: the bind fails and the container stays created`,
  identity: 'root',
  async setup(lab) {
    // The lab's folder has no /ok: the holder answers 404, the container "ok".
    await lab.hostGuard.spawn(['timeout', '600', 'busybox', 'httpd', '-f', '-p', `0.0.0.0:${PORT}`, '-h', LAB_STATE]);
    for (let attempt = 0; attempt < 20; attempt++) {
      const listening = await lab.root(['ss', '-Hltn', `sport = :${PORT}`]);
      if (listening.stdout.trim() !== '') break;
      if (attempt === 19) throw new LabError(`the holder does not listen on ${PORT}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    lab.set(
      'run',
      JSON.stringify(await lab.podman.tryRun(NAME, ['-p', `${PORT}:80`], ['httpd', '-f', '-p', '80', '-h', '/www'])),
    );
  },
  async proveBroken(lab) {
    const failed = expectFailure(
      JSON.parse(lab.get('run')),
      /cannot listen on the TCP port: listen tcp4 :18431: bind: address already in use/,
      `podman run -p ${PORT}:80`,
    );
    const state = await lab.podman.must(['inspect', NAME, '--format', '{{.State.Status}}']);
    if (state !== 'created') throw new LabError(`${NAME} is ${state}, not created`);
    return `${failed}; ${NAME} is ${state}; ${expectProbe(await hostHttp(lab, URL), 'fail')}`;
  },
  expect: () => [
    {
      id: 'net.host_port_in_use',
      severity: 'error',
      subject: { engine: 'podman', containers: [NAME] },
      title: /busybox \(pid \d+\) listens on 0\.0\.0\.0:18431/,
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await hostHttp(lab, URL), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
