import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const SLIRP = '/usr/bin/slirp4netns';

export default {
  kind: 'broken',
  name: 'rootless-slirp4netns-not-executable',
  ids: ['rootless.slirp4netns_missing'],
  description: `${SLIRP} not executable (chmod 644): podman does not find it either`,
  identity: 'ndlab',
  async setup(lab) {
    await lab.guard.chmod(SLIRP, 0o644);
  },
  proveBroken: async (lab) =>
    expectFailure(await lab.rootless.tryRun('ndl-slx-a', []), /could not find slirp4netns[^\n]*/, 'podman run (ndlab)'),
  expect: () => [{ id: 'rootless.slirp4netns_missing', severity: 'error', title: /not executable/ }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      await lab.rootless.remove('ndl-slx-a');
      return 'the failed container removed';
    },
  },
  async proveFixed(lab) {
    await lab.rootless.start('ndl-slx-b', []);
    return expectProbe(await egress(lab.rootless, 'ndl-slx-b'), 'pass');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
