import { LabError, ok } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { DOCKER, PROBE_DOCKER } from '../lib/paths.js';
import type { BrokenScenario } from '../scenario.js';
import { WWW } from './failure-modes-common.js';
import {
  GUEST_PODMAN_ENV,
  guestDaemon,
  guestFakeHost,
  installGuestUfw,
  mustInGuest,
  prepareGuestHost,
  prepareGuestPodman,
  startGuestDockerd,
} from './guest-common.js';
import { GUEST_TIMEOUTS, inGuest } from './kernel-common.js';

const NAME = 'ndl-ufw-web';
/** The guest's uplink: a veth to a machine "outside" in a namespace of the guest, which holds its default route. */
const OUTSIDE = {
  netns: 'ndl-ufwext',
  hostIf: 'ndl-ufwup',
  peerIf: 'ndl-ufwx',
  hostAddress: '203.0.113.1/24',
  peerAddress: '203.0.113.2/24',
};
const PUBLISHED = 18080;
/** A service of the guest itself on another port: ufw's deny must hold for it. */
const HOST_SERVICE = 18081;

/** An HTTP GET in the guest, from the outside namespace or from the guest itself. */
async function get(lab: Lab, port: number, from: 'outside' | 'inside'): Promise<boolean> {
  const url = from === 'outside' ? `http://203.0.113.1:${port}/ok` : `http://127.0.0.1:${port}/ok`;
  const where = from === 'outside' ? ['ip', 'netns', 'exec', OUTSIDE.netns] : [];
  const result = await inGuest(lab, [...where, 'timeout', '6', 'busybox', 'wget', '-q', '-O-', url]);
  return ok(result) && result.stdout.trim() === 'ok';
}

export default {
  kind: 'broken',
  name: 'ufw-published-port',
  ids: ['fw.ufw_bypassed_by_published_ports'],
  description: `in the lab guest (ufw enabled in this host's namespace would cut it off): ufw enabled with its default "deny (incoming)", a docker container publishing ${PUBLISHED} on all addresses: a machine outside gets the container's page, but not the guest's own service on ${HOST_SERVICE}`,
  identity: 'root',
  timeLimitMs: 600_000,
  env: () => GUEST_PODMAN_ENV,
  netdoctorCommand: () => ['--only', 'fw.ufw', ...GUEST_TIMEOUTS],
  async setup(lab) {
    await lab.startGuest('loadable');
    await prepareGuestHost(lab);
    // podman is installed too: a store it can use in the guest, so that it answers netdoctor.
    await prepareGuestPodman(lab, false);
    await guestFakeHost(lab, OUTSIDE);
    await mustInGuest(lab, ['ip', 'route', 'add', 'default', 'via', '203.0.113.2', 'dev', OUTSIDE.hostIf]);
    await startGuestDockerd(lab);
    await mustInGuest(lab, [
      DOCKER,
      'run',
      '-d',
      '--name',
      NAME,
      '-p',
      `${PUBLISHED}:80`,
      PROBE_DOCKER,
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/www',
    ]);
    await guestDaemon(lab, ['busybox', 'httpd', '-f', '-p', `0.0.0.0:${HOST_SERVICE}`, '-h', WWW]);
    if (!(await get(lab, HOST_SERVICE, 'outside')) || !(await get(lab, PUBLISHED, 'outside')))
      throw new LabError('the outside machine cannot reach the guest before ufw is enabled');
    await installGuestUfw(lab);
    await mustInGuest(lab, ['ufw', '--force', 'enable']);
  },
  async proveBroken(lab) {
    const status = await mustInGuest(lab, ['ufw', 'status', 'verbose']);
    if (!/Default: deny \(incoming\)/.test(status)) throw new LabError(`ufw does not deny incoming: ${status}`);
    if (await get(lab, HOST_SERVICE, 'outside'))
      throw new LabError(`ufw lets the outside reach the guest's own service on ${HOST_SERVICE}`);
    if (!(await get(lab, PUBLISHED, 'outside')))
      throw new LabError(`the outside machine cannot reach the published port ${PUBLISHED}`);
    return `ufw: "Default: deny (incoming)"; from outside: port ${HOST_SERVICE} (a service of the guest) blocked, port ${PUBLISHED} (${NAME}) answers`;
  },
  expect: () => [
    {
      id: 'fw.ufw_bypassed_by_published_ports',
      severity: 'warning',
      subject: { engine: 'docker', containers: [NAME] },
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    if (await get(lab, PUBLISHED, 'outside')) throw new LabError(`the outside still reaches ${PUBLISHED}`);
    if (!(await get(lab, PUBLISHED, 'inside'))) throw new LabError(`the guest itself no longer reaches ${PUBLISHED}`);
    return `from outside port ${PUBLISHED} is blocked as ufw says; the guest itself still gets ${NAME}'s page`;
  },
  async restore(lab) {
    await lab.stopGuest();
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
