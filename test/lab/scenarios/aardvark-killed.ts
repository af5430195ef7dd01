import { readFile } from 'node:fs/promises';
import { LabError, sleep } from '../lib/exec.js';
import { expectResolvesTo } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, proveNoNames, remember } from '../lib/traffic.js';

const NET = 'ndl-p2aard';
const PIDFILE = '/run/containers/networks/aardvark-dns/aardvark.pid';

export default {
  kind: 'broken',
  name: 'aardvark-killed',
  ids: ['aardvark.not_running'],
  description:
    'two containers on a DNS-enabled netavark network, then aardvark-dns killed: its pid file stays, nothing answers on the gateway',
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    const pid = Number((await readFile(PIDFILE, 'utf8')).trim());
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    if (comm !== 'aardvark-dns') throw new LabError(`${PIDFILE} names ${pid}, which is ${comm}`);
    process.kill(pid, 'SIGKILL');
    for (let attempt = 0; attempt < 40 && (await lab.processAlive(pid)); attempt++) await sleep(250);
    lab.set('killed', String(pid));
  },
  async proveBroken(lab) {
    return `aardvark-dns ${lab.get('killed')} killed; ${await proveNoNames(lab.podman, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`))}`;
  },
  expect: () => [
    {
      id: 'aardvark.not_running',
      severity: 'error',
      subject: { engine: 'podman', network: NET, containers: [`${NET}-a`, `${NET}-b`] },
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'root',
    adapt: (commands) => ({
      commands: commands.map((command) => command.replace(/^podman restart \S+$/, `podman restart ${NET}-a`)),
      note: "the lab restarts its own container, never another session's",
    }),
    async then(lab) {
      await remember(lab, lab.podman, NET, NET);
      return 'addresses read again';
    },
  },
  // Asked from the restarted container: netavark's bridge takes the MAC of its lowest port, so a restart can leave
  // the other container with a stale neighbour entry for the gateway for about 30 s (LAB-NOTES).
  async proveFixed(lab) {
    return expectResolvesTo(lab.podman, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`), lab.get(`${NET}-b.ip`));
  },
  async restore(lab) {
    // Whatever happened, aardvark-dns must run again for everyone's DNS-enabled networks: a container start brings it
    // back.
    if (lab.podman.containers.includes(`${NET}-a`)) await lab.podman.cmd(['restart', `${NET}-a`]);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
