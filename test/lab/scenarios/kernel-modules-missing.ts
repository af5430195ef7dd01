import { LabError } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';
import {
  GUEST_SCENARIO_LIMIT_MS,
  GUEST_TIMEOUTS,
  KERNEL_CHECK,
  bridgeProbe,
  inGuest,
  loadedModules,
} from './kernel-common.js';

export default {
  kind: 'broken',
  name: 'kernel-modules-missing',
  ids: ['kernel.netfilter_modules_missing'],
  description:
    "in the lab guest: Debian 12's kernel, whose bridge and netfilter features are modules, runs while its module tree is absent (as after an upgrade removed the running kernel's modules): no bridge can be made",
  identity: 'root',
  timeLimitMs: GUEST_SCENARIO_LIMIT_MS,
  netdoctorCommand: () => ['--only', KERNEL_CHECK, ...GUEST_TIMEOUTS],
  async setup(lab) {
    await lab.startGuest('missing');
  },
  async proveBroken(lab) {
    const bridge = await bridgeProbe(lab);
    if (bridge.ok) throw new LabError(`the guest made a bridge without a module tree: ${bridge.detail}`);
    return `kernel ${lab.runningGuest().release}, ${(await loadedModules(lab)).length} modules loaded; ${bridge.detail}`;
  },
  expect: () => [{ id: 'kernel.netfilter_modules_missing', severity: 'error' }],
  fix: {
    kind: 'manual',
    reason:
      "the printed fix reinstalls the kernel package (apt-get), which the lab never runs: the lab puts that package's module tree where the reinstall would",
    async apply(lab) {
      const guest = lab.runningGuest();
      const target = `/lib/modules/${guest.release}`;
      for (const argv of [
        ['mkdir', '-p', target],
        ['mount', '--bind', guest.moduleTree, target],
      ]) {
        const result = await inGuest(lab, argv);
        if (result.exitCode !== 0)
          throw new LabError(`\`${argv.join(' ')}\` in the guest failed: ${result.stderr.trim()}`);
      }
      return `${guest.release}'s module tree in ${target}`;
    },
  },
  async proveFixed(lab) {
    const bridge = await bridgeProbe(lab);
    if (!bridge.ok) throw new LabError(bridge.detail);
    return bridge.detail;
  },
  async restore(lab) {
    await lab.stopGuest();
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
