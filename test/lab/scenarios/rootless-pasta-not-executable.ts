import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const PASTA = '/usr/bin/pasta';

export default {
  kind: 'broken',
  name: 'rootless-pasta-not-executable',
  ids: ['rootless.pasta_missing'],
  description: `${PASTA} not executable (chmod 644): podman 5's lookup skips it, so ndlab's containers get no network`,
  identity: 'ndlab',
  generations: [2],
  async setup(lab) {
    await lab.guard.chmod(PASTA, 0o644);
  },
  proveBroken: async (lab) =>
    expectFailure(
      await lab.rootless.tryRun('ndl-pnx-a', []),
      /could not find pasta, the network namespace can't be configured[^\n]*/,
      'podman run (ndlab)',
    ),
  expect: () => [{ id: 'rootless.pasta_missing', severity: 'error', title: /not executable/ }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      await lab.rootless.remove('ndl-pnx-a');
      return 'the failed container removed';
    },
  },
  async proveFixed(lab) {
    await lab.rootless.start('ndl-pnx-b', []);
    return expectProbe(await egress(lab.rootless, 'ndl-pnx-b'), 'pass');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
