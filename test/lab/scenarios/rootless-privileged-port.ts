import { readFile } from 'node:fs/promises';
import { LabError, brief, ok } from '../lib/exec.js';
import { AS_USER, LAB_USER } from '../lib/paths.js';
import { expectFailure } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NAME = 'ndl-p2port';
const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

export default {
  kind: 'broken',
  name: 'rootless-privileged-port',
  ids: ['rootless.privileged_port'],
  description: `${LAB_USER} publishes host port 80 with ${SYSCTL} at 1024: rootlessport cannot bind it and the container does not start`,
  identity: 'ndlab',
  async setup(lab) {
    const current = (await readFile(`/proc/sys/${SYSCTL.replaceAll('.', '/')}`, 'utf8')).trim();
    if (current !== '1024') throw new LabError(`${SYSCTL} is ${current}, not the default 1024`);
    // Recorded now, so that the restore puts back whatever the printed fix writes.
    await lab.guard.sysctl(SYSCTL, current);
    lab.set(
      'run',
      JSON.stringify(await lab.rootless.tryRun(NAME, ['-p', '80:80'], ['httpd', '-f', '-p', '80', '-h', '/www'])),
    );
  },
  async proveBroken(lab) {
    const failed = expectFailure(
      JSON.parse(lab.get('run')),
      /rootlessport cannot expose privileged port 80[^\n]*/,
      `podman run -p 80:80 as ${LAB_USER}`,
    );
    const host = await lab.root(['timeout', '4', 'busybox', 'wget', '-q', '-O-', 'http://127.0.0.1:80/ok'], 15_000);
    if (ok(host)) throw new LabError('something answers on the host port 80');
    return `${failed}; nothing answers on 127.0.0.1:80`;
  },
  expect: () => [{ id: 'rootless.privileged_port', severity: 'warning', subject: { containers: [NAME] } }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    adapt: (commands) => ({
      commands: commands.map((command) =>
        command.startsWith('podman ') ? `${AS_USER} ${LAB_USER} ${command}` : command,
      ),
      note: `the sysctl commands run as root, podman as ${LAB_USER} (through as-user.sh)`,
    }),
  },
  async proveFixed(lab) {
    const host = await lab.root(['timeout', '4', 'busybox', 'wget', '-q', '-O-', 'http://127.0.0.1:80/ok'], 15_000);
    if (!ok(host) || host.stdout.trim() !== 'ok') throw new LabError(`127.0.0.1:80 does not answer (${brief(host)})`);
    return `${NAME} started; the host got http://127.0.0.1:80/ok from it`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
