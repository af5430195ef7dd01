import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { LabError, baseEnv, brief, run, waitFor } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { LAB_RUN } from '../lib/paths.js';
import { http, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { provedFixed, reachableNow } from './why-common.js';

const P = 'ndl-wh';
const NET = `${P}-net`;
const WEB = `${P}-web`;
const PORT = 18081;
const WWW = `${LAB_RUN}/${P}-www`;

/** busybox httpd on the host, serving WWW on `bind`:PORT; the guard ends it by its pid. */
async function serve(lab: Lab, bind: string): Promise<void> {
  const child = spawn('busybox', ['httpd', '-f', '-p', `${bind}:${PORT}`, '-h', WWW], {
    detached: true,
    stdio: 'ignore',
    env: baseEnv(),
  });
  child.unref();
  if (child.pid === undefined) throw new LabError('busybox httpd did not start');
  await lab.hostGuard.trackProcess(child.pid, 'busybox');
  lab.set('httpd', String(child.pid));
  await waitFor(`busybox httpd on ${bind}:${PORT}`, async () => {
    const listening = await run(['ss', '-H', '-l', '-t', '-n', `sport = :${PORT}`], {
      timeoutMs: 10_000,
      env: baseEnv(),
    });
    return listening.stdout.includes(`:${PORT}`) ? true : undefined;
  });
}

async function gateway(lab: Lab): Promise<string> {
  return lab.docker.must(['inspect', '--format', `{{(index .NetworkSettings.Networks "${NET}").Gateway}}`, WEB]);
}

// Docker, not podman: on a loaded host `podman info` alone can outlast why's 2.5 s limit for an engine command, and
// the container would not be found; docker answers in half a second.

export default {
  kind: 'broken',
  name: 'why-host-loopback',
  ids: ['pair.host_service_loopback_only'],
  description: `a service on the host's 127.0.0.1:${PORT} only (busybox httpd); why ${WEB} host:${PORT} from a docker container; fixed by serving on all addresses`,
  identity: 'root',
  netdoctorCommand: () => ['why', WEB, `host:${PORT}`],
  async setup(lab) {
    await lab.guard.tree(WWW);
    await writeFile(`${WWW}/ok`, 'ok\n');
    await lab.docker.network(NET);
    await lab.docker.start(WEB, ['--network', NET]);
    await serve(lab, '127.0.0.1');
  },
  async proveBroken(lab) {
    const local = await run(['timeout', '4', 'busybox', 'wget', '-q', '-O-', `http://127.0.0.1:${PORT}/ok`], {
      timeoutMs: 14_000,
      env: baseEnv(),
    });
    if (local.stdout.trim() !== 'ok') throw new LabError(`the host does not serve itself (${brief(local)})`);
    const fromContainer = expectProbe(await http(lab.docker, WEB, `http://${await gateway(lab)}:${PORT}/ok`), 'fail');
    return `the host gets http://127.0.0.1:${PORT}/ok; ${fromContainer}`;
  },
  expect: () => [
    {
      id: 'pair.host_service_loopback_only',
      severity: 'error',
      subject: { containers: [WEB] },
      title: new RegExp(
        `The host's service on port ${PORT} listens on 127\\.0\\.0\\.1:${PORT} only; ${WEB} reaches the host at [\\d.]+`,
      ),
    },
  ],
  fix: {
    kind: 'manual',
    reason:
      "the fix is the service's own listen address (0.0.0.0, as the summary says); the printed command only shows what it listens on",
    async apply(lab) {
      process.kill(Number(lab.get('httpd')), 'SIGTERM');
      await waitFor(`port ${PORT} to be free`, async () => {
        const listening = await run(['ss', '-H', '-l', '-t', '-n', `sport = :${PORT}`], {
          timeoutMs: 10_000,
          env: baseEnv(),
        });
        return listening.stdout.trim() === '' ? true : undefined;
      });
      await serve(lab, '0.0.0.0');
      return `busybox httpd started again on 0.0.0.0:${PORT}`;
    },
  },
  proveFixed: async (lab) =>
    provedFixed(
      lab,
      http(lab.docker, WEB, `http://${await gateway(lab)}:${PORT}/ok`).then((result) => expectProbe(result, 'pass')),
    ),
  fixedReport: reachableNow,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
