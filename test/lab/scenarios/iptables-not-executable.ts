import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { dockerNeedsIptables, proveDockerNetworkWithIptables, provePodmanWithoutIptables } from '../lib/iptables.js';

const NET = 'ndl-iptx';

/**
 * As iptables-moved: netavark runs iptables on generation 1, dockerd (not netavark's nftables driver) on
 * generation 2.
 */
export default {
  kind: 'broken',
  name: 'iptables-not-executable',
  ids: ['host.iptables_binary_missing'],
  description:
    'the file behind the /usr/sbin/iptables alternatives link (xtables-nft-multi, shared with ip6tables) loses its execute bits (chmod 644)',
  identity: 'root',
  generations: [1, 2],
  environment: ['docker', 'forwarding-at-boot'],
  async setup(lab) {
    if (lab.generation === 1) await lab.podman.network(NET);
    lab.set('target', await lab.guard.chmod('/usr/sbin/iptables', 0o644));
  },
  proveBroken: async (lab) =>
    `${lab.get('target')} mode 644; ${
      lab.generation === 2
        ? `${await provePodmanWithoutIptables(lab, `${NET}-p`)}; ${await dockerNeedsIptables(lab, NET, /Failed to Setup IP tables: .*permission denied[^\n]*/)}`
        : expectFailure(
            await lab.podman.tryRun(`${NET}-a`, ['--network', NET]),
            /netavark: .*Permission denied[^\n]*/,
            `podman run --network ${NET}`,
          )
    }`,
  expect: () => [
    { id: 'host.iptables_binary_missing', severity: 'error', subject: { path: '/usr/sbin/iptables' } },
    { id: 'host.iptables_binary_missing', severity: 'error', subject: { path: '/usr/sbin/ip6tables' } },
  ],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      if (lab.generation === 2) return 'nothing to remove (the docker network was never created)';
      await lab.podman.remove(`${NET}-a`);
      return 'the container whose start failed removed';
    },
  },
  async proveFixed(lab) {
    if (lab.generation === 2) return proveDockerNetworkWithIptables(lab, NET);
    await lab.podman.start(`${NET}-b`, ['--network', NET]);
    return expectProbe(await egress(lab.podman, `${NET}-b`), 'pass');
  },
  async restore(lab) {
    // The binary first: tearing down a network without iptables fails.
    await lab.guard.undo();
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
