import { LabError } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';
import { proveDockerWorks } from '../lib/traffic.js';

export default {
  kind: 'broken',
  name: 'docker-frozen',
  ids: ['engine.unreachable'],
  description: 'dockerd frozen with SIGSTOP: its socket accepts connections but nothing answers, `docker run` hangs until killed',
  identity: 'root',
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
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints `pkill -x dockerd` then a new `setsid dockerd`: the lab never ends processes by name, and a stopped dockerd does not act on SIGTERM until it is continued, so the new dockerd would meet the old one\'s pid file; the lab sends SIGCONT to the pid it stopped',
    async apply(lab) {
      await lab.guard.undo((action) => action.kind === 'cont');
      return `SIGCONT to dockerd ${lab.get('pid')}`;
    },
  },
  proveFixed: proveDockerWorks,
  async restore(lab) {
    await lab.restoreHost();
    await lab.ensureDockerd();
  },
} satisfies BrokenScenario;
