import { open, readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { LabError, baseEnv, ok, output, sleep } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { DOCKER, DOCKERD_LOG } from '../lib/paths.js';
import { egress, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-p2ipt';
const FLAG = '--iptables=false';

async function dockerdArgv(lab: Lab): Promise<string[]> {
  const pid = await lab.dockerdPid();
  if (pid === undefined) throw new LabError('no running dockerd found through /var/run/docker.pid');
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '');
}

async function stopDockerd(lab: Lab): Promise<void> {
  const pid = await lab.dockerdPid();
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  for (let attempt = 0; attempt < 120 && ((await lab.processAlive(pid)) || (await lab.socketExists())); attempt++)
    await sleep(500);
  if (await lab.processAlive(pid)) throw new LabError(`dockerd ${pid} still runs 60 s after SIGTERM`);
}

/** Starts dockerd as test/lab/env/setup.sh does, with extra arguments, and waits (bounded) until it answers. */
async function startDockerd(lab: Lab, args: string[]): Promise<void> {
  const log = await open(DOCKERD_LOG, 'a');
  try {
    spawn('dockerd', args, { detached: true, stdio: ['ignore', log.fd, log.fd], env: baseEnv() }).unref();
  } finally {
    await log.close();
  }
  for (let attempt = 0; attempt < 120 && !(await lab.dockerUp()); attempt++) await sleep(500);
  if (!(await lab.dockerUp()))
    throw new LabError(`dockerd ${args.join(' ')} does not answer after 60 s; see ${DOCKERD_LOG}`);
}

export default {
  kind: 'broken',
  name: 'docker-iptables-off',
  ids: ['docker.iptables_or_masq_disabled'],
  description: `dockerd restarted by hand with ${FLAG}, then a new docker network: nothing NATs or forwards its traffic, 198.51.100.2 does not answer`,
  identity: 'root',
  async setup(lab) {
    const argv = await dockerdArgv(lab);
    if (argv.join(' ') !== 'dockerd')
      throw new LabError(`dockerd runs as \`${argv.join(' ')}\`, not as the lab starts it`);
    // Containers a dockerd stop ends, other sessions' too: the restore starts them again.
    lab.set('running', (await lab.runningDockerContainers()).join(' '));
    await stopDockerd(lab);
    await startDockerd(lab, [FLAG]);
    await lab.docker.network(NET);
    await lab.docker.start(`${NET}-a`, ['--network', NET]);
  },
  proveBroken: async (lab) =>
    `${(await dockerdArgv(lab)).join(' ')}; ${expectProbe(await egress(lab.docker, `${NET}-a`), 'fail')}`,
  expect: () => [
    {
      id: 'docker.iptables_or_masq_disabled',
      severity: 'error',
      subject: { engine: 'docker' },
      title: /iptables=false/,
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'root',
    adapt: (commands) => ({
      commands: commands.map((command) => command.replace('>>/var/log/dockerd.log', `>>${DOCKERD_LOG}`)),
      note: `dockerd logs to the lab's ${DOCKERD_LOG}`,
    }),
    async then(lab) {
      for (let attempt = 0; attempt < 120 && !(await lab.dockerUp()); attempt++) await sleep(500);
      await lab.docker.must(['start', `${NET}-a`]);
      return `${NET}-a started again (the dockerd restart stopped it)`;
    },
  },
  proveFixed: async (lab) =>
    `${(await dockerdArgv(lab)).join(' ')}; ${expectProbe(await egress(lab.docker, `${NET}-a`), 'pass')}`,
  async restore(lab) {
    if (!(await lab.dockerUp()) || (await dockerdArgv(lab)).join(' ') !== 'dockerd') {
      await stopDockerd(lab);
      await startDockerd(lab, []);
    }
    const before = (lab.maybe('running') ?? '').split(' ').filter((id) => id !== '');
    const now = new Set(await lab.runningDockerContainers());
    const again = before.filter((id) => !now.has(id));
    if (again.length > 0) {
      const result = await lab.root([DOCKER, 'start', ...again], 60_000);
      if (!ok(result))
        throw new LabError(`could not start the containers the dockerd restarts ended: ${output(result)}`);
    }
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
