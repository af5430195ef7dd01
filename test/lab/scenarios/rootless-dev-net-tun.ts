import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

export default {
  kind: 'broken',
  name: 'rootless-dev-net-tun',
  ids: ['rootless.dev_net_tun'],
  description: '/dev/net/tun mode 600 (as this VM boots): slirp4netns (gen1) or pasta (gen2) cannot open it for ndlab',
  identity: 'ndlab',
  generations: [1, 2],
  async setup(lab) {
    await lab.guard.chmod('/dev/net/tun', 0o600);
  },
  proveBroken: async (lab) =>
    expectFailure(
      await lab.rootless.tryRun('ndl-tun-a', []),
      // slirp4netns: open("/dev/net/tun"): Permission denied; pasta: Failed to open() /dev/net/tun: Permission denied
      /open\(\\?"\/dev\/net\/tun\\?"\): Permission denied|Failed to open\(\) \/dev\/net\/tun: Permission denied/,
      'podman run (ndlab)',
    ),
  expect: () => [{ id: 'rootless.dev_net_tun', severity: 'error', subject: { path: '/dev/net/tun' } }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      await lab.rootless.remove('ndl-tun-a');
      return 'the failed container removed';
    },
  },
  async proveFixed(lab) {
    await lab.rootless.start('ndl-tun-b', []);
    return expectProbe(await egress(lab.rootless, 'ndl-tun-b'), 'pass');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
