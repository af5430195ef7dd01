import { LabError, ok } from '../lib/exec.js';
import { WWW } from './failure-modes-common.js';
import type { BrokenScenario } from '../scenario.js';
import {
  GUEST_PODMAN_ENV,
  guestDaemon,
  guestFakeHost,
  guestPodman,
  mustGuestPodman,
  mustInGuest,
  prepareGuestHost,
  prepareGuestPodman,
} from './guest-common.js';
import { GUEST_SCENARIO_LIMIT_MS, GUEST_TIMEOUTS, inGuest } from './kernel-common.js';

const NET = 'ndl-ct';
const NAME = 'ndl-ct-a';
const OUTSIDE = {
  netns: 'ndl-ctext',
  hostIf: 'ndl-ctup',
  peerIf: 'ndl-ctx',
  hostAddress: '203.0.113.1/24',
  peerAddress: '203.0.113.2/24',
};
const URL = 'http://203.0.113.2/ok';
/** The table size the scenario sets: small enough to fill with connections the guest holds open. */
const SMALL_TABLE = 64;
const HELD = 80;
/** Accepts every connection to port 9000 and keeps it open: established, assured entries the kernel cannot evict. */
const HOLDER =
  'import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(("203.0.113.2",9000))\ns.listen(1024)\nheld=[]\nwhile True:\n held.append(s.accept())';
const CLIENTS = `import socket,time\nheld=[socket.create_connection(("203.0.113.2",9000),timeout=10) for _ in range(${HELD})]\nopen("/run/ndl-ct-held","w").write(str(len(held)))\ntime.sleep(600)`;

async function containerGet(lab: Parameters<BrokenScenario['setup']>[0]) {
  return guestPodman(lab, ['exec', NAME, 'timeout', '8', 'wget', '-q', '-O-', URL]);
}

async function table(lab: Parameters<BrokenScenario['setup']>[0]): Promise<string> {
  const count = await mustInGuest(lab, ['cat', '/proc/sys/net/netfilter/nf_conntrack_count']);
  const max = await mustInGuest(lab, ['cat', '/proc/sys/net/netfilter/nf_conntrack_max']);
  return `${count} of ${max} entries`;
}

export default {
  kind: 'broken',
  name: 'conntrack-full',
  ids: ['net.conntrack_table_full'],
  description: `in the lab guest (a kernel of its own: the table size is global to a kernel): a rootful podman container, ${HELD} TCP connections held open to a fake outside host, then net.netfilter.nf_conntrack_max = ${SMALL_TABLE}: the container's new connection to ${URL} is dropped`,
  identity: 'root',
  timeLimitMs: GUEST_SCENARIO_LIMIT_MS,
  env: () => GUEST_PODMAN_ENV,
  netdoctorCommand: () => ['--only', 'net.conntrack', ...GUEST_TIMEOUTS],
  async setup(lab) {
    await lab.startGuest('loadable');
    await prepareGuestHost(lab);
    await prepareGuestPodman(lab, true);
    await guestFakeHost(lab, OUTSIDE);
    await guestDaemon(lab, [
      'ip',
      'netns',
      'exec',
      OUTSIDE.netns,
      'busybox',
      'httpd',
      '-f',
      '-p',
      '203.0.113.2:80',
      '-h',
      WWW,
    ]);
    await guestDaemon(lab, ['ip', 'netns', 'exec', OUTSIDE.netns, 'python3', '-c', HOLDER]);
    await mustGuestPodman(lab, ['network', 'create', '--subnet', '10.89.194.0/24', NET]);
    await mustGuestPodman(lab, [
      'run',
      '-d',
      '--name',
      NAME,
      '--network',
      NET,
      'localhost/netdoctor-probe:latest',
      'sleep',
      '900',
    ]);
    const before = await containerGet(lab);
    if (!ok(before) || before.stdout.trim() !== 'ok')
      throw new LabError(`${NAME} cannot get ${URL} before the table fills (${before.stderr.trim()})`);
    await guestDaemon(lab, ['python3', '-c', CLIENTS]);
    let held = '';
    for (let attempt = 0; attempt < 60 && held === ''; attempt++) {
      held = (await inGuest(lab, ['cat', '/run/ndl-ct-held'])).stdout.trim();
      if (held === '') await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (held !== String(HELD)) throw new LabError(`the guest holds ${held || 'no'} connections, not ${HELD}`);
    await mustInGuest(lab, ['sysctl', '-w', `net.netfilter.nf_conntrack_max=${SMALL_TABLE}`]);
  },
  async proveBroken(lab) {
    const now = await table(lab);
    const blocked = await containerGet(lab);
    if (ok(blocked)) throw new LabError(`${NAME} still got ${URL} with the table at ${now}`);
    return `table ${now}; ${NAME} could not get ${URL} (exit ${blocked.exitCode})`;
  },
  expect: () => [{ id: 'net.conntrack_table_full', severity: 'error', title: /is full \(\d+ of 64 entries\)/ }],
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const got = await containerGet(lab);
    if (!ok(got) || got.stdout.trim() !== 'ok') throw new LabError(`${NAME} still cannot get ${URL}`);
    return `table ${await table(lab)}; ${NAME} got ${URL}`;
  },
  async restore(lab) {
    await lab.stopGuest();
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
