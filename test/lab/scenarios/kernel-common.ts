/** What the two kernel-module scenarios share: they run in the lab guest (lib/guest.ts), whose kernel has modules. */
import { LabError, brief, ok, type RunResult } from '../lib/exec.js';
import { GUEST_RUN_LIMIT_MS } from '../lib/guest.js';
import type { Lab } from '../lib/lab.js';
import { AS_USER, LAB_USER } from '../lib/paths.js';

export const KERNEL_CHECK = 'kernel.netfilter-modules';
export const ROOTLESS_CHECK = 'rootless.netfilter-preload';
/**
 * What a guest scenario may take: about 60 s (missing) and 95 s (rootless) on a quiet host, 4 times that under load.
 */
export const GUEST_SCENARIO_LIMIT_MS = 420_000;
/** The guest is emulated (about 10 times slower): `podman info` alone takes longer than netdoctor's default 8 s. */
export const GUEST_TIMEOUTS = ['--timeout', '150', '--command-timeout', '120'];

/** A command in the guest, as root; guest-exec gives up 15 s after its own 240 s. */
export function inGuest(lab: Lab, argv: string[]): Promise<RunResult> {
  return lab.root([...lab.hostPrefix(), ...argv], GUEST_RUN_LIMIT_MS);
}

export function asLabUser(lab: Lab, argv: string[]): Promise<RunResult> {
  return inGuest(lab, [AS_USER, LAB_USER, ...argv]);
}

/** The modules the guest's kernel has loaded now (first column of /proc/modules). */
export async function loadedModules(lab: Lab): Promise<string[]> {
  const result = await inGuest(lab, ['cat', '/proc/modules']);
  if (!ok(result)) throw new LabError(`cat /proc/modules in the guest: ${brief(result)}`);
  return result.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '')
    .sort();
}

/** A bridge made and removed at once: `ip link add` loads the bridge module when it can. */
export async function bridgeProbe(lab: Lab): Promise<{ ok: boolean; detail: string }> {
  const added = await inGuest(lab, ['ip', 'link', 'add', 'ndl-kbr', 'type', 'bridge']);
  if (!ok(added)) return { ok: false, detail: `\`ip link add ndl-kbr type bridge\` failed (${brief(added, 80)})` };
  await inGuest(lab, ['ip', 'link', 'del', 'ndl-kbr']);
  return { ok: true, detail: '`ip link add ndl-kbr type bridge` worked' };
}

/**
 * What rootless netavark does inside its namespace, as the lab user: iptables in a new user and network
 * namespace, which cannot load a module the kernel lacks.
 */
export async function rootlessIptablesProbe(lab: Lab): Promise<{ ok: boolean; detail: string }> {
  const result = await asLabUser(lab, [
    'unshare',
    '--user',
    '--map-root-user',
    '--net',
    'iptables',
    '-t',
    'nat',
    '-S',
    'POSTROUTING',
  ]);
  return ok(result)
    ? { ok: true, detail: `${LAB_USER}'s \`unshare -Urn iptables -t nat -S\` worked` }
    : { ok: false, detail: `${LAB_USER}'s \`unshare -Urn iptables -t nat -S\` failed (${brief(result, 80)})` };
}
