import { egress, expectFailure, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const SLIRP = '/usr/bin/slirp4netns';

export default {
  kind: 'broken',
  name: 'rootless-slirp4netns-moved',
  ids: ['rootless.slirp4netns_missing'],
  description: `${SLIRP} moved away: ndlab's \`podman run\` cannot set up the container's network`,
  identity: 'ndlab',
  async setup(lab) {
    await lab.guard.move(SLIRP);
  },
  proveBroken: async (lab) =>
    expectFailure(await lab.rootless.tryRun('ndl-slm-a', []), /could not find slirp4netns[^\n]*/, 'podman run (ndlab)'),
  expect: () => [{ id: 'rootless.slirp4netns_missing', severity: 'error', title: /not installed/ }],
  fix: {
    kind: 'manual',
    reason: 'netdoctor prints a package (re)install, which the lab never runs; the lab puts the binary back',
    async apply(lab) {
      await lab.guard.undoPath(SLIRP);
      await lab.rootless.remove('ndl-slm-a');
      return `${SLIRP} put back`;
    },
  },
  async proveFixed(lab) {
    await lab.rootless.start('ndl-slm-b', []);
    return expectProbe(await egress(lab.rootless, 'ndl-slm-b'), 'pass');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
