import { LabError } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';
import { proveDockerWorks } from '../lib/traffic.js';

export default {
  kind: 'broken',
  name: 'docker-frozen',
  ids: ['engine.unreachable'],
  description:
    'dockerd frozen with SIGSTOP: its socket accepts connections but nothing answers, `docker run` hangs until killed',
  identity: 'root',
  generations: [1, 2],
  environment: ['docker'],
  async setup(lab) {
    const pid = await lab.dockerdPid();
    if (pid === undefined) throw new LabError('no running dockerd found through /var/run/docker.pid');
    lab.set('pid', String(pid));
    await lab.guard.stopProcess(pid);
  },
  async proveBroken(lab) {
    const result = await lab.docker.runOnce([], ['true'], 6_000);
    if (!result.timedOut) throw new LabError(`docker run did not hang (exit ${result.exitCode})`);
    return `dockerd ${lab.get('pid')} stopped; docker run hung and was killed after 6 s`;
  },
  expect: () => [{ id: 'engine.unreachable', severity: 'error', subject: { engine: 'docker' }, title: /timeout/ }],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: proveDockerWorks,
  async restore(lab) {
    await lab.restoreHost();
    await lab.ensureDockerd();
  },
} satisfies BrokenScenario;
