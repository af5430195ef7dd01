import { LabError, ok, output, sleep } from '../lib/exec.js';
import { expectFailure } from '../lib/probes.js';
import { DOCKER, DOCKER_SOCK } from '../lib/paths.js';
import type { BrokenScenario } from '../scenario.js';
import { proveDockerWorks } from '../lib/traffic.js';

export default {
  kind: 'broken',
  name: 'docker-stopped',
  ids: ['engine.unreachable'],
  description:
    'dockerd stopped (SIGTERM to its pid): the socket is gone, `docker run` cannot connect; the fix is the start command netdoctor prints for a host without systemd',
  identity: 'root',
  generations: [1, 2],
  environment: ['docker'],
  async setup(lab) {
    // Containers a dockerd stop ends, other sessions' too: the restore starts them again.
    lab.set('running', (await lab.runningDockerContainers()).join(' '));
    const pid = await lab.dockerdPid();
    if (pid === undefined) throw new LabError('no running dockerd found through /var/run/docker.pid');
    await lab.signal(pid, 'SIGTERM');
    for (let attempt = 0; attempt < 120 && ((await lab.processAlive(pid)) || (await lab.socketExists())); attempt++)
      await sleep(500);
    if (await lab.processAlive(pid)) throw new LabError(`dockerd ${pid} still runs 60 s after SIGTERM`);
    lab.set('stopped', String(pid));
  },
  async proveBroken(lab) {
    const socket = (await lab.socketExists()) ? 'the socket still exists' : `${DOCKER_SOCK} is gone`;
    return `dockerd ${lab.get('stopped')} ended, ${socket}; ${expectFailure(await lab.docker.runOnce([], ['true'], 20_000), /Cannot connect to the Docker daemon[^\n]*/, 'docker run')}`;
  },
  expect: () => [
    { id: 'engine.unreachable', severity: 'error', subject: { engine: 'docker' }, title: /socket missing/ },
  ],
  // `setsid dockerd ... &` then `docker info`, retried while dockerd comes up.
  fix: { kind: 'printed', runAs: 'root', retrySeconds: 60 },
  proveFixed: proveDockerWorks,
  async restore(lab) {
    // On generation 2 dockerd and its containers end with the environment.
    if (lab.generation === 2) {
      await lab.restoreHost();
      return;
    }
    await lab.ensureDockerd();
    const before = (lab.maybe('running') ?? '').split(' ').filter((id) => id !== '');
    const now = new Set(await lab.runningDockerContainers());
    const again = before.filter((id) => !now.has(id));
    if (again.length > 0) {
      const result = await lab.root([DOCKER, 'start', ...again], 60_000);
      if (!ok(result)) throw new LabError(`could not start the containers dockerd's stop ended: ${output(result)}`);
    }
  },
} satisfies BrokenScenario;
