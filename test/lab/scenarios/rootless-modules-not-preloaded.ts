import { LabError, brief, ok } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { NETDOCTOR } from '../lib/paths.js';
import type { BrokenScenario } from '../scenario.js';
import {
  GUEST_SCENARIO_LIMIT_MS,
  GUEST_TIMEOUTS,
  ROOTLESS_CHECK,
  asLabUser,
  inGuest,
  loadedModules,
  rootlessIptablesProbe,
} from './kernel-common.js';

const NET = 'ndl-kmod';

/** Runs the whole diagnosis as root in the guest and compares /proc/modules before and after. */
async function rootRunLoadsNothing(lab: Lab): Promise<string> {
  const before = await loadedModules(lab);
  const flavour = (await inGuest(lab, ['readlink', '-f', '/usr/sbin/iptables'])).stdout.trim();
  const diagnosis = await inGuest(lab, [process.execPath, NETDOCTOR, '--json', ...GUEST_TIMEOUTS]);
  if (diagnosis.exitCode === null || diagnosis.exitCode > 2)
    throw new LabError(`netdoctor as root in the guest: ${brief(diagnosis)}`);
  const loaded = (await loadedModules(lab)).filter((name) => !before.includes(name));
  if (loaded.length > 0) throw new LabError(`netdoctor's own run (iptables ${flavour}) loaded ${loaded.join(', ')}`);
  return `root's whole netdoctor run with ${flavour} loaded no module (${before.length} loaded)`;
}

export default {
  kind: 'broken',
  name: 'rootless-modules-not-preloaded',
  ids: ['rootless.netfilter_modules_not_preloaded'],
  description:
    "in the lab guest: Debian 12's kernel with its module tree, no netfilter module loaded since boot, the iptables alternative switched to iptables-legacy (in the guest only); ndlab has a bridge network, and iptables in its own namespace fails because only root may load ip_tables",
  identity: 'ndlab',
  timeLimitMs: GUEST_SCENARIO_LIMIT_MS,
  netdoctorCommand: () => ['--only', ROOTLESS_CHECK, ...GUEST_TIMEOUTS],
  async setup(lab) {
    await lab.startGuest('loadable');
    const created = await asLabUser(lab, ['podman', 'network', 'create', NET]);
    if (!ok(created)) throw new LabError(`podman network create ${NET} as ndlab in the guest: ${brief(created)}`);
    // Read-only on a kernel that can load modules: a whole root run of netdoctor must load none, with either flavour.
    lab.set('read-only', await rootRunLoadsNothing(lab));
    for (const tool of ['iptables', 'ip6tables']) {
      const switched = await inGuest(lab, ['update-alternatives', '--set', tool, `/usr/sbin/${tool}-legacy`]);
      if (!ok(switched)) throw new LabError(`update-alternatives in the guest: ${brief(switched)}`);
    }
    lab.set('read-only', `${lab.get('read-only')}; ${await rootRunLoadsNothing(lab)}`);
  },
  async proveBroken(lab) {
    const iptables = await rootlessIptablesProbe(lab);
    if (iptables.ok)
      throw new LabError(`rootless iptables-legacy works before ip_tables was loaded: ${iptables.detail}`);
    return `${lab.get('read-only')}; ${iptables.detail}`;
  },
  expect: () => [{ id: 'rootless.netfilter_modules_not_preloaded', severity: 'error', subject: { network: NET } }],
  // `modprobe -a ...` and the modules-load.d file, as root in the guest.
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const iptables = await rootlessIptablesProbe(lab);
    if (!iptables.ok) throw new LabError(iptables.detail);
    return iptables.detail;
  },
  async restore(lab) {
    await lab.stopGuest();
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
