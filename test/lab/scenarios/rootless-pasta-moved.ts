import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const PASTA = '/usr/bin/pasta';

export default {
  kind: 'broken',
  name: 'rootless-pasta-moved',
  ids: ['rootless.pasta_missing'],
  description: `${PASTA} moved away (as without the passt package): ndlab's \`podman run\` cannot set up the container's network`,
  identity: 'ndlab',
  generations: [2],
  async setup(lab) {
    await lab.guard.move(PASTA);
  },
  proveBroken: async (lab) =>
    expectFailure(
      await lab.rootless.tryRun('ndl-pmv-a', []),
      /could not find pasta, the network namespace can't be configured[^\n]*/,
      'podman run (ndlab)',
    ),
  expect: () => [{ id: 'rootless.pasta_missing', severity: 'error', title: /not installed/ }],
  fix: {
    kind: 'manual',
    reason: 'netdoctor prints a package install (passt), which the lab never runs; the lab puts the binary back',
    async apply(lab) {
      await lab.guard.undoPath(PASTA);
      await lab.rootless.remove('ndl-pmv-a');
      return `${PASTA} put back`;
    },
  },
  async proveFixed(lab) {
    await lab.rootless.start('ndl-pmv-b', []);
    return expectProbe(await egress(lab.rootless, 'ndl-pmv-b'), 'pass');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
