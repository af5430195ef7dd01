import { access, readFile, rm } from 'node:fs/promises';
import { LabError } from '../lib/exec.js';
import { LAB_PREFIX } from '../lib/paths.js';
import type { Lab } from '../lib/lab.js';
import { expectResolvesTo } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { proveNoNames, remember } from '../lib/traffic.js';

const NET = 'ndl-p2dns';
const SUBNET = '10.89.188.0/24';
const GATEWAY = '10.89.188.1';
const HOLDER_PID = '/run/netdoctor-lab/ndl-p2dns-holder.pid';
const DROP_IN_DIR = '/etc/containers/containers.conf.d';
/** Where the printed fix moves aardvark-dns. */
const MOVED_PORT = 1153;
const AARDVARK_PID = '/run/containers/networks/aardvark-dns/aardvark.pid';
const DNSMASQ = [
  'dnsmasq',
  '--user=root',
  '--conf-file=/dev/null',
  '--no-resolv',
  '--no-hosts',
  '--port=53',
  '--bind-interfaces',
];

async function stop(lab: Lab, key: string): Promise<void> {
  const pid = lab.maybe(key);
  if (pid !== undefined) await lab.root(['kill', pid]);
}

/**
 * An aardvark-dns started while the drop-in said port 1153 keeps listening there after the drop-in is gone (stale
 * entries of other sessions keep it alive): end it, so that the next container start brings one up on port 53.
 */
async function endMovedAardvark(lab: Lab): Promise<void> {
  const pid = (await readFile(AARDVARK_PID, 'utf8').catch(() => '')).trim();
  if (!/^\d+$/.test(pid)) return;
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  if (argv[0]?.endsWith('/aardvark-dns') && argv.includes(String(MOVED_PORT))) {
    await lab.root(['kill', pid]);
    await rm(AARDVARK_PID, { force: true });
  }
}

export default {
  kind: 'broken',
  name: 'port53-taken-on-gateway',
  ids: ['dns.port53_taken_for_aardvark'],
  description: `a host dnsmasq bound to ${GATEWAY}:53 (as BIND's named binds every new address) before containers join the DNS-enabled netavark network ${SUBNET}: aardvark-dns cannot answer there`,
  identity: 'root',
  async setup(lab) {
    // The printed fix restarts aardvark-dns, which serves every DNS-enabled network: nobody else's may be in use.
    const others = (await lab.podman.must(['ps', '--format', '{{.Names}} {{.Networks}}']))
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith(LAB_PREFIX) && !/ podman$/.test(line.trim()));
    if (others.length > 0)
      throw new LabError(
        `other sessions' rootful podman containers run on user networks (${others.join('; ')}): the fix would restart their aardvark-dns`,
      );
    if (
      !(await access(DROP_IN_DIR).then(
        () => true,
        () => false,
      ))
    )
      await lab.guard.tree(DROP_IN_DIR);
    await lab.podman.network(NET, ['--subnet', SUBNET]);
    // The gateway address exists only once the bridge is up: lent to lo for the moment dnsmasq binds it.
    await lab.mustRoot(['ip', 'addr', 'add', `${GATEWAY}/32`, 'dev', 'lo']);
    lab.set('lo-address', 'added');
    await lab.mustRoot([...DNSMASQ, `--pid-file=${HOLDER_PID}`, `--listen-address=${GATEWAY}`]);
    lab.set('holder', await lab.mustRoot(['cat', HOLDER_PID]));
    await lab.podman.start(`${NET}-a`, ['--network', NET]);
    await lab.podman.startWeb(`${NET}-b`, ['--network', NET]);
    await lab.mustRoot(['ip', 'addr', 'del', `${GATEWAY}/32`, 'dev', 'lo']);
    lab.set('lo-address', 'removed');
    await remember(lab, lab.podman, NET, NET);
  },
  proveBroken: (lab) => proveNoNames(lab.podman, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`)),
  expect: () => [
    {
      id: 'dns.port53_taken_for_aardvark',
      severity: 'error',
      subject: { engine: 'podman', network: NET },
      title: new RegExp(`^dnsmasq \\(pid \\d+\\) holds udp port 53 on gateway ${GATEWAY.replaceAll('.', '\\.')}`),
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      await remember(lab, lab.podman, NET, NET);
      const aardvark = await lab.mustRoot(['ss', '-Hlnup', `sport = :${MOVED_PORT}`]);
      if (!aardvark.includes('aardvark-dns'))
        throw new LabError(
          `aardvark-dns does not listen on port ${MOVED_PORT} after the restart: ${aardvark || 'nothing does'}`,
        );
      return `aardvark-dns listens on ${GATEWAY}:${MOVED_PORT}; the containers' port 53 is redirected to it`;
    },
  },
  async proveFixed(lab) {
    return expectResolvesTo(lab.podman, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`), lab.get(`${NET}-a.ip`));
  },
  async restore(lab) {
    await stop(lab, 'holder');
    if (lab.maybe('lo-address') === 'added') await lab.root(['ip', 'addr', 'del', `${GATEWAY}/32`, 'dev', 'lo']);
    await lab.defaultRestore();
    await endMovedAardvark(lab);
  },
} satisfies BrokenScenario;
