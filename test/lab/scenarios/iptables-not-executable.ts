import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-iptx';

export default {
  kind: 'broken',
  name: 'iptables-not-executable',
  ids: ['host.iptables_binary_missing'],
  description:
    'the file behind the /usr/sbin/iptables alternatives link (xtables-nft-multi, shared with ip6tables) loses its execute bits (chmod 644)',
  identity: 'root',
  async setup(lab) {
    await lab.podman.network(NET);
    lab.set('target', await lab.guard.chmod('/usr/sbin/iptables', 0o644));
  },
  proveBroken: async (lab) =>
    `${lab.get('target')} mode 644; ${expectFailure(await lab.podman.tryRun(`${NET}-a`, ['--network', NET]), /netavark: .*Permission denied[^\n]*/, `podman run --network ${NET}`)}`,
  expect: () => [
    { id: 'host.iptables_binary_missing', severity: 'error', subject: { path: '/usr/sbin/iptables' } },
    { id: 'host.iptables_binary_missing', severity: 'error', subject: { path: '/usr/sbin/ip6tables' } },
  ],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      await lab.podman.remove(`${NET}-a`);
      return 'the container whose start failed removed';
    },
  },
  async proveFixed(lab) {
    await lab.podman.start(`${NET}-b`, ['--network', NET]);
    return expectProbe(await egress(lab.podman, `${NET}-b`), 'pass');
  },
  async restore(lab) {
    await lab.restoreHost();
    await lab.removeObjects();
  },
} satisfies BrokenScenario;
