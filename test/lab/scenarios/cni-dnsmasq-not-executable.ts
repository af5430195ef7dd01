import { LabError } from '../lib/exec.js';
import { expectFailure, expectProbe, lookup } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { proveOutside, remember } from '../lib/traffic.js';

const NET = 'ndl-dnsm';
const SUBNET = '10.90.212.0/24';

export default {
  kind: 'broken',
  name: 'cni-dnsmasq-not-executable',
  ids: ['cni.dnsmasq_missing'],
  description:
    'CNI store, a dnsname network, /usr/sbin/dnsmasq not executable (the outside host\'s own dnsmasq keeps running: chmod stops nothing): `podman run` fails with "unable to locate dnsmasq"',
  identity: 'cni',
  async setup(lab) {
    await lab.cni.network(NET, ['--subnet', SUBNET]);
    await lab.guard.chmod('/usr/sbin/dnsmasq', 0o644);
  },
  proveBroken: async (lab) =>
    expectFailure(
      await lab.cni.tryRun(`${NET}-a`, ['--network', NET]),
      /unable to locate dnsmasq[^\n]*/,
      `podman run --network ${NET}`,
    ),
  expect: () => [{ id: 'cni.dnsmasq_missing', severity: 'error', subject: { engine: 'podman', network: NET } }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      await lab.cni.remove(`${NET}-a`);
      await lab.cni.start(`${NET}-a`, ['--network', NET]);
      await lab.cni.startWeb(`${NET}-b`, ['--network', NET]);
      await remember(lab, lab.cni, NET, NET);
      return 'the failed container removed, containers started';
    },
  },
  async proveFixed(lab) {
    const found = await lookup(lab.cni, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`));
    expectProbe(found, 'pass');
    if (found.address !== lab.get(`${NET}-a.ip`))
      throw new LabError(`resolved to ${found.address}, not ${lab.get(`${NET}-a.ip`)}`);
    return `${found.detail}; ${await proveOutside(lab.cni, `${NET}-a`)}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
