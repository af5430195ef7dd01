import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { dockerNeedsIptables, proveDockerNetworkWithIptables, provePodmanWithoutIptables } from '../lib/iptables.js';

const NET = 'ndl-iptm';
const IPTABLES = '/usr/sbin/iptables';

/**
 * Generation 1: netavark 1.4 runs iptables for every bridge network. Generation 2: netavark 1.14's nftables driver
 * does not (podman still starts a container there), docker 26 does: `docker network create` fails.
 */
export default {
  kind: 'broken',
  name: 'iptables-moved',
  ids: ['host.iptables_binary_missing'],
  description: `${IPTABLES} (the alternatives link) moved away: netavark (gen1) or dockerd (gen2: netavark's nftables driver does not run it) cannot set up a bridge network`,
  identity: 'root',
  generations: [1, 2],
  // Forwarding on from boot: dockerd then leaves FORWARD's policy ACCEPT, and podman's nftables-only accepts
  // suffice (fw-docker-drop-netavark-nftables is the other case).
  environment: ['docker', 'forwarding-at-boot'],
  async setup(lab) {
    if (lab.generation === 1) await lab.podman.network(NET);
    await lab.guard.move(IPTABLES);
  },
  proveBroken: async (lab) =>
    lab.generation === 2
      ? `${await provePodmanWithoutIptables(lab, `${NET}-p`)}; ${await dockerNeedsIptables(lab, NET, /Failed to Setup IP tables: .*no such file or directory[^\n]*/)}`
      : expectFailure(
          await lab.podman.tryRun(`${NET}-a`, ['--network', NET]),
          /netavark: .*No such file or directory[^\n]*/,
          `podman run --network ${NET}`,
        ),
  expect: () => [
    { id: 'host.iptables_binary_missing', severity: 'error', subject: { path: 'iptables' }, title: /not installed/ },
  ],
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints a package (re)install, which the lab never runs (it reaches the package mirror and changes dpkg state); the lab puts the alternatives link back, as the reinstall (update-alternatives in its postinst) would',
    async apply(lab) {
      await lab.guard.undoPath(IPTABLES);
      if (lab.generation === 1) await lab.podman.remove(`${NET}-a`);
      return `${IPTABLES} put back`;
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
