import { LabError, ok, sleep } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { LAB_STATE, LAB_USER, PROBE_PODMAN } from '../lib/paths.js';
import type { BrokenScenario } from '../scenario.js';
import { guestDaemon, mustInGuest } from './guest-common.js';
import { GUEST_TIMEOUTS, inGuest } from './kernel-common.js';

const NAME = 'ndl-lg-web';
const PORT = 18090;
const URL = `http://127.0.0.1:${PORT}/ok`;
const PROBE_TAR = `${LAB_STATE}/probe/probe.tar`;
const RUN_WEB = `podman run -d --name ${NAME} -p ${PORT}:80 ${PROBE_PODMAN} httpd -f -p 80 -h /www`;
/**
 * A store of the guest's own for the lab user: the host's is made with overlay, which cannot run on the guest's
 * overlay root.
 */
const STORAGE = `/home/${LAB_USER}/.config/containers/storage.conf`;

/** A command as the lab user in a login session of its own (su -l: PAM, pam_systemd, a logind session). */
function asLogin(command: string): string[] {
  return ['su', '-l', LAB_USER, '-c', command];
}

async function answers(lab: Lab): Promise<boolean> {
  const result = await inGuest(lab, ['timeout', '4', 'busybox', 'wget', '-q', '-O-', URL]);
  return ok(result) && result.stdout.trim() === 'ok';
}

/** Logs the lab user in for a long while: the session that keeps its user manager and runtime folder alive. */
async function logIn(lab: Lab): Promise<void> {
  await guestDaemon(lab, asLogin('sleep 900'));
  for (let attempt = 0; attempt < 60; attempt++) {
    const state = await inGuest(lab, ['loginctl', 'show-user', LAB_USER, '--property', 'State', '--value']);
    if (ok(state) && state.stdout.trim() === 'active') return;
    await sleep(1000);
  }
  throw new LabError(`${LAB_USER} has no active login session 60 s after su -l`);
}

/** Ends the lab user's login sessions the way a logout does (not its lingering user manager). */
async function logOut(lab: Lab): Promise<string[]> {
  const listing = await mustInGuest(lab, ['loginctl', 'list-sessions', '--no-legend']);
  const sessions = listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2] === LAB_USER)
    .map((fields) => fields[0]!);
  for (const session of sessions) await mustInGuest(lab, ['loginctl', 'terminate-session', session]);
  return sessions;
}

/** Waits until the published port answers (or not), at most SECONDS. */
async function until(lab: Lab, wanted: boolean, seconds: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    if ((await answers(lab)) === wanted) return Math.round((Date.now() - started) / 1000);
    await sleep(2000);
  }
  throw new LabError(`${URL} ${wanted ? 'does not answer' : 'still answers'} ${seconds} s later`);
}

export default {
  kind: 'broken',
  name: 'rootless-no-linger',
  ids: ['rootless.no_linger'],
  description: `in the lab guest booted with systemd (this host has none): ${LAB_USER} logs in, starts a rootless container publishing ${PORT}, and has no linger: when its last session ends, systemd stops its user manager and the container with it`,
  identity: 'ndlab',
  timeLimitMs: 900_000,
  netdoctorCommand: () => ['--only', 'rootless.linger', ...GUEST_TIMEOUTS],
  async setup(lab) {
    await lab.startGuest('loadable', 'systemd');
    const lingering = await inGuest(lab, ['test', '-e', `/var/lib/systemd/linger/${LAB_USER}`]);
    if (ok(lingering)) throw new LabError(`${LAB_USER} lingers already`);
    // As this host's lab baseline has it (setup.sh): slirp4netns opens /dev/net/tun as the user.
    await mustInGuest(lab, ['chmod', '0666', '/dev/net/tun']);
    await mustInGuest(lab, [
      'su',
      '-s',
      '/bin/sh',
      LAB_USER,
      '-c',
      `mkdir -p ~/.config/containers && printf '%s\\n' '[storage]' 'driver = "vfs"' 'graphroot = "/tmp/ndl-lg-storage"' > ${STORAGE}`,
    ]);
    await logIn(lab);
    await mustInGuest(lab, asLogin(`podman import --change CMD=/bin/sh ${PROBE_TAR} ${PROBE_PODMAN}`));
    await mustInGuest(lab, asLogin(RUN_WEB));
    await until(lab, true, 60);
  },
  async proveBroken(lab) {
    const ended = await logOut(lab);
    const after = await until(lab, false, 90);
    const runtime = await inGuest(lab, ['test', '-d', '/run/user/1500']);
    const seen = `${LAB_USER} logged out (session ${ended.join(', ')}): ${URL} stopped answering ${after} s later${ok(runtime) ? '' : ', /run/user/1500 removed'}`;
    // The state netdoctor diagnoses: the user logged in again, the container running, still without linger.
    await logIn(lab);
    // The logout's end of the user manager also killed podman's rootless pause process and the container's conmon,
    // without podman's cleanup: podman says to reset the pause process, and then still lists the container as
    // running. What a user who logs in again has to do: reset, remove the container, run it again.
    await mustInGuest(lab, asLogin('podman system migrate'));
    await mustInGuest(lab, asLogin(`podman rm -f ${NAME}`));
    await mustInGuest(lab, asLogin(RUN_WEB));
    await until(lab, true, 60);
    return `${seen}; logged in again and started ${NAME}`;
  },
  expect: () => [{ id: 'rootless.no_linger', severity: 'warning', subject: { engine: 'podman', containers: [NAME] } }],
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const ended = await logOut(lab);
    // Longer than the user manager's stop delay (10 s) and the 90 s the broken state took at most.
    await sleep(30_000);
    if (!(await answers(lab))) throw new LabError(`${URL} stopped answering after the logout, despite linger`);
    return `${LAB_USER} logged out (session ${ended.join(', ')}): ${URL} still answers 30 s later`;
  },
  async restore(lab) {
    await lab.stopGuest();
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
