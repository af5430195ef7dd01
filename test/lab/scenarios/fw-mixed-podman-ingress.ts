import { LabError } from '../lib/exec.js';
import { expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { fromHost, fromOutside, restoreChain, saveChain, recordFirewall } from './fw-common.js';

const NET = 'ndl-f2mx';
const PORT = 18_480;

export default {
  kind: 'broken',
  name: 'fw-mixed-podman-ingress',
  ids: ['mixed.docker_forward_drop_breaks_podman_ingress'],
  description: `docker's FORWARD DROP policy in force, a podman container publishing ${PORT}:80: the port answers the host but not the fake outside host (netavark 1.4 accepts no new DNAT-ed connection)`,
  identity: 'root',
  async setup(lab) {
    const policy = (await lab.mustRoot(['iptables', '-w', '5', '-S', 'FORWARD'])).split('\n')[0] ?? '';
    if (policy !== '-P FORWARD DROP')
      throw new LabError(`this scenario needs docker's FORWARD DROP policy; iptables says "${policy}"`);
    await lab.podman.network(NET);
    await lab.podman.startWeb(`${NET}-web`, ['--network', NET, '-p', `${PORT}:80`]);
    lab.set('bridge', await lab.podman.bridge(NET));
    lab.set('docker-user', JSON.stringify(await saveChain(lab, 'DOCKER-USER')));
    expectProbe(await fromHost(PORT), 'pass');
  },
  async proveBroken(lab) {
    return recordFirewall(
      lab,
      'broken',
      `${expectProbe(await fromOutside(PORT), 'fail')}; ${expectProbe(await fromHost(PORT), 'pass')}`,
    );
  },
  expect: (lab) => [
    {
      id: 'mixed.docker_forward_drop_breaks_podman_ingress',
      severity: 'warning',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
    },
  ],
  // `iptables -I DOCKER-USER 1 -o <bridge> -m conntrack --ctstate DNAT -j ACCEPT`
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => recordFirewall(lab, 'fixed', expectProbe(await fromOutside(PORT), 'pass')),
  async restore(lab) {
    const saved = lab.maybe('docker-user');
    if (saved !== undefined) await restoreChain(lab, 'DOCKER-USER', JSON.parse(saved) as string[]);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
