import { LabError, ok, sleep } from '../lib/exec.js';
import { expectFailure, expectResolvesTo } from '../lib/probes.js';
import { remember } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-dnsn';
const SUBNET = '10.90.224.0/24';
const GATEWAY = '10.90.224.1';

async function removeLentAddress(lab: Parameters<BrokenScenario['restore']>[0]): Promise<void> {
  const lent = await lab.root(['ip', '-4', '-o', 'addr', 'show', 'dev', 'lo', 'to', `${GATEWAY}/32`]);
  if (ok(lent) && lent.stdout.includes(GATEWAY)) await lab.root(['ip', 'addr', 'del', `${GATEWAY}/32`, 'dev', 'lo']);
}

export default {
  kind: 'broken',
  name: 'port53-dnsname',
  ids: ['dns.port53_taken_for_dnsname'],
  description: `CNI store: a host dnsmasq bound to ${GATEWAY}:53 (as BIND's named binds every new address) before the first container joins the dnsname network ${SUBNET}: dnsname's own dnsmasq cannot bind it and \`podman run\` fails`,
  identity: 'cni',
  async setup(lab) {
    await lab.cni.network(NET, ['--subnet', SUBNET]);
    // The gateway exists only once the bridge is up: lent to lo for the moment the holder binds it.
    await lab.mustRoot(['ip', 'addr', 'add', `${GATEWAY}/32`, 'dev', 'lo']);
    try {
      await lab.hostGuard.spawn([
        'timeout',
        '600',
        'dnsmasq',
        '--keep-in-foreground',
        '--user=root',
        '--conf-file=/dev/null',
        '--no-resolv',
        '--no-hosts',
        '--pid-file=',
        '--port=53',
        '--bind-interfaces',
        `--listen-address=${GATEWAY}`,
      ]);
      let bound = false;
      for (let attempt = 0; attempt < 40 && !bound; attempt++) {
        bound = (await lab.root(['ss', '-Hlnu', `sport = :53`])).stdout.includes(`${GATEWAY}:53`);
        if (!bound) await sleep(250);
      }
      if (!bound) throw new LabError(`the holder does not listen on ${GATEWAY}:53`);
    } finally {
      await removeLentAddress(lab);
    }
    for (const name of [`${NET}-a`, `${NET}-b`]) {
      const command = name.endsWith('-b') ? ['httpd', '-f', '-p', '80', '-h', '/www'] : ['sleep', '600'];
      lab.set(`${name}.run`, JSON.stringify(await lab.cni.tryRun(name, ['--network', NET], command)));
    }
  },
  async proveBroken(lab) {
    const failed = expectFailure(
      JSON.parse(lab.get(`${NET}-a.run`)),
      /dnsmasq: failed to create listening socket for 10\.90\.224\.1: Address already in use/,
      `podman run --network ${NET}`,
    );
    const state = await lab.cni.must(['inspect', `${NET}-b`, '--format', '{{.State.Status}}']);
    if (state !== 'created') throw new LabError(`${NET}-b is ${state}, not created`);
    return `${failed}; ${NET}-b is ${state} too`;
  },
  expect: () => [
    {
      id: 'dns.port53_taken_for_dnsname',
      severity: 'error',
      subject: { engine: 'podman', network: NET, containers: [`${NET}-a`, `${NET}-b`] },
      title: /^dnsmasq \(pid \d+\) holds udp port 53 on gateway 10\.90\.224\.1/,
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      await remember(lab, lab.cni, NET, NET);
      return 'addresses read';
    },
  },
  async proveFixed(lab) {
    return expectResolvesTo(lab.cni, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`), lab.get(`${NET}-b.ip`));
  },
  async restore(lab) {
    await removeLentAddress(lab);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
