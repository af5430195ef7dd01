import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-iptm';
const IPTABLES = '/usr/sbin/iptables';

export default {
  kind: 'broken',
  name: 'iptables-moved',
  ids: ['host.iptables_binary_missing'],
  description: `${IPTABLES} (the alternatives link) moved away: netavark cannot set up a container on a bridge network`,
  identity: 'root',
  async setup(lab) {
    await lab.podman.network(NET);
    await lab.guard.move(IPTABLES);
  },
  proveBroken: async (lab) =>
    expectFailure(
      await lab.podman.tryRun(`${NET}-a`, ['--network', NET]),
      /netavark: .*No such file or directory[^\n]*/,
      `podman run --network ${NET}`,
    ),
  expect: () => [{ id: 'host.iptables_binary_missing', severity: 'error', subject: { path: 'iptables' } }],
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints a package (re)install, which the lab never runs (it reaches the package mirror and changes dpkg state); the lab puts the alternatives link back, as the reinstall (update-alternatives in its postinst) would',
    async apply(lab) {
      await lab.guard.undoPath(IPTABLES);
      await lab.podman.remove(`${NET}-a`);
      return `${IPTABLES} put back`;
    },
  },
  async proveFixed(lab) {
    await lab.podman.start(`${NET}-b`, ['--network', NET]);
    return expectProbe(await egress(lab.podman, `${NET}-b`), 'pass');
  },
  async restore(lab) {
    // The binary first: tearing down a network without iptables fails.
    await lab.restoreHost();
    await lab.removeObjects();
  },
} satisfies BrokenScenario;
