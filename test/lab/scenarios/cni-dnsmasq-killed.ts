import { readFile } from 'node:fs/promises';
import { LabError, sleep } from '../lib/exec.js';
import { expectResolvesTo } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, proveNoNames, remember } from '../lib/traffic.js';

const NET = 'ndl-p2cni';
const SUBNET = '10.90.222.0/24';
const PIDFILE = `/run/containers/cni/dnsname/${NET}/pidfile`;

export default {
  kind: 'broken',
  name: 'cni-dnsmasq-killed',
  ids: ['cni.dnsmasq_not_running'],
  description:
    "CNI store, two containers on a dnsname network, then the network's dnsmasq killed (as when the login session that started it ends): names stop resolving",
  identity: 'cni',
  async setup(lab) {
    await pair(lab, lab.cni, NET, ['--subnet', SUBNET]);
    const pid = Number((await readFile(PIDFILE, 'utf8')).trim());
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(`/dnsname/${NET}/dnsmasq.conf`))
      throw new LabError(`${PIDFILE} names ${pid}, which is not this network's dnsmasq`);
    process.kill(pid, 'SIGTERM');
    for (let attempt = 0; attempt < 40 && (await lab.processAlive(pid)); attempt++) await sleep(250);
    if (await lab.processAlive(pid)) throw new LabError(`dnsmasq ${pid} still runs 10 s after SIGTERM`);
    lab.set('killed', String(pid));
  },
  async proveBroken(lab) {
    return `dnsmasq ${lab.get('killed')} killed; ${await proveNoNames(lab.cni, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`))}`;
  },
  expect: () => [
    {
      id: 'cni.dnsmasq_not_running',
      severity: 'error',
      subject: { engine: 'podman', network: NET, containers: [`${NET}-a`, `${NET}-b`] },
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      await remember(lab, lab.cni, NET, NET);
      return 'addresses read again';
    },
  },
  // Asked from the restarted container: netavark's bridge takes the MAC of its lowest port, so a restart can leave
  // the other container with a stale neighbour entry for the gateway for about 30 s (LAB-NOTES).
  async proveFixed(lab) {
    return expectResolvesTo(lab.cni, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`), lab.get(`${NET}-b.ip`));
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
