/**
 * What the scenarios that run in the lab guest need besides its kernel: a rootful podman store of the guest's own
 * (its root is an overlay, where podman's overlay driver cannot run: vfs on the guest's tmpfs) with the probe image,
 * and fake hosts in network namespaces of the guest. Nothing of it reaches this host: it ends with the guest.
 */
import { LabError, brief, ok, type RunResult } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { GUEST_DIR } from '../lib/guest.js';
import { DOCKER, LAB_STATE, PROBE_DOCKER, PROBE_PODMAN } from '../lib/paths.js';
import { inGuest } from './kernel-common.js';

const STORE = '/run/ndl-guest';
/** The probe image's root filesystem, as setup.sh builds it for the four stores of this host. */
const PROBE_TAR = `${LAB_STATE}/probe/probe.tar`;

/** podman in the guest reads its storage from here: netdoctor and the printed fixes get it too (scenario.env). */
export const GUEST_PODMAN_ENV = { CONTAINERS_STORAGE_CONF: `${STORE}/storage.conf` };

export async function mustInGuest(lab: Lab, argv: string[]): Promise<string> {
  const result = await inGuest(lab, argv);
  if (!ok(result)) throw new LabError(`\`${argv.join(' ')}\` in the guest failed (${brief(result, 300)})`);
  return result.stdout.trim();
}

/** Rootful podman in the guest, with GUEST_PODMAN_ENV. */
export function guestPodman(lab: Lab, args: string[]): Promise<RunResult> {
  return inGuest(lab, [
    'env',
    `CONTAINERS_STORAGE_CONF=${GUEST_PODMAN_ENV.CONTAINERS_STORAGE_CONF}`,
    'podman',
    ...args,
  ]);
}

export async function mustGuestPodman(lab: Lab, args: string[]): Promise<string> {
  const result = await guestPodman(lab, args);
  if (!ok(result)) throw new LabError(`\`podman ${args.join(' ')}\` in the guest failed (${brief(result, 300)})`);
  return result.stdout.trim();
}

/**
 * What the guest lacks that engines need, since only the agent runs there: loopback up, and the cgroup
 * filesystem (runc and dockerd need it; systemd mounts it when it is PID 1).
 */
export async function prepareGuestHost(lab: Lab): Promise<void> {
  await mustInGuest(lab, ['ip', 'link', 'set', 'lo', 'up']);
  const mounted = await inGuest(lab, ['mountpoint', '-q', '/sys/fs/cgroup']);
  if (!ok(mounted)) await mustInGuest(lab, ['mount', '-t', 'cgroup2', 'cgroup2', '/sys/fs/cgroup']);
}

/** A vfs store on the guest's tmpfs for rootful podman (GUEST_PODMAN_ENV), with the probe image if asked. */
export async function prepareGuestPodman(lab: Lab, withImage: boolean): Promise<void> {
  await mustInGuest(lab, ['mkdir', '-p', `${STORE}/storage`, `${STORE}/run`]);
  await mustInGuest(lab, [
    'sh',
    '-c',
    `printf '%s\\n' '[storage]' 'driver = "vfs"' 'graphroot = "${STORE}/storage"' 'runroot = "${STORE}/run"' > ${STORE}/storage.conf`,
  ]);
  if (withImage) await mustGuestPodman(lab, ['import', '--change', 'CMD=/bin/sh', PROBE_TAR, PROBE_PODMAN]);
}

/** A fake machine in a namespace of the guest, on a veth to the guest's own namespace. */
export async function guestFakeHost(
  lab: Lab,
  host: { netns: string; hostIf: string; peerIf: string; hostAddress: string; peerAddress: string },
): Promise<void> {
  for (const argv of [
    ['ip', 'netns', 'add', host.netns],
    ['ip', 'link', 'add', host.hostIf, 'type', 'veth', 'peer', 'name', host.peerIf, 'netns', host.netns],
    ['ip', 'addr', 'add', host.hostAddress, 'dev', host.hostIf],
    ['ip', '-n', host.netns, 'addr', 'add', host.peerAddress, 'dev', host.peerIf],
    ['ip', 'link', 'set', host.hostIf, 'up'],
    ['ip', '-n', host.netns, 'link', 'set', host.peerIf, 'up'],
    ['ip', '-n', host.netns, 'link', 'set', 'lo', 'up'],
  ])
    await mustInGuest(lab, argv);
}

/** Starts a command in the guest in the background (the agent waits for nothing), bounded by `timeout`. */
export async function guestDaemon(lab: Lab, argv: string[], seconds = 600): Promise<void> {
  const quoted = ['timeout', String(seconds), ...argv].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  await mustInGuest(lab, ['sh', '-c', `setsid ${quoted} </dev/null >/dev/null 2>&1 &`]);
}

/** ufw in the guest's overlay: the package build.sh extracted, then what its postinst does (the rule templates). */
export async function installGuestUfw(lab: Lab): Promise<void> {
  // tar keeps the guest's /lib -> usr/lib link, where cp would refuse to put the package's lib/ over it.
  await mustInGuest(lab, ['sh', '-c', `tar -C ${GUEST_DIR}/ufw -cf - . | tar -C / -xf - --keep-directory-symlink`]);
  await mustInGuest(lab, [
    'sh',
    '-c',
    'for f in before.rules before6.rules after.rules after6.rules user.rules user6.rules; do install -m 640 /usr/share/ufw/iptables/$f /etc/ufw/$f; done; install -m 640 /usr/share/ufw/before.init /usr/share/ufw/after.init /etc/ufw/; install -m 644 /usr/share/ufw/ufw.conf /etc/ufw/ufw.conf',
  ]);
}

const DOCKERD_ROOT = '/run/ndl-docker';

/** dockerd in the guest (vfs on the guest's tmpfs, its own containerd), with the probe image; waits for it. */
export async function startGuestDockerd(lab: Lab): Promise<void> {
  await guestDaemon(lab, [
    'dockerd',
    '--data-root',
    `${DOCKERD_ROOT}/data`,
    '--exec-root',
    `${DOCKERD_ROOT}/exec`,
    '--storage-driver',
    'vfs',
  ]);
  for (let attempt = 0; attempt < 120; attempt++) {
    if (ok(await inGuest(lab, [DOCKER, 'info', '--format', '{{.ServerVersion}}']))) {
      await mustInGuest(lab, [DOCKER, 'import', '--change', 'CMD ["/bin/sh"]', PROBE_TAR, PROBE_DOCKER]);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new LabError('dockerd in the guest does not answer after 120 s');
}
