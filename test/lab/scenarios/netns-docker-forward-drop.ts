import { readFile } from 'node:fs/promises';
import { LabError, ok, output, sleep } from '../lib/exec.js';
import { attachNamespace, buildTutorial, getFrom, must, pingFrom, tutorial } from '../lib/handmade.js';
import type { Lab } from '../lib/lab.js';
import { DOCKER } from '../lib/paths.js';
import type { BrokenScenario } from '../scenario.js';

const NET = tutorial('ndl-hd', 6);
/** A libvirt-style NAT bridge: accepts and masquerade in an nftables table of its own, like libvirt's nft backend. */
const VIRBR = 'ndl-hd-virbr0';
const GUEST = 'ndl-hd-guest';
const GUEST_HOST_END = 'ndl-hd-vg';
const LIBVIRT_TABLE = 'ndl_hd_libvirt';
const LIBVIRT_RULES = `table ip ${LIBVIRT_TABLE} {
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "${VIRBR}" ip saddr 10.231.7.0/24 accept
    oifname "${VIRBR}" ip daddr 10.231.7.0/24 ct state related,established accept
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    ip saddr 10.231.7.0/24 ip daddr != 10.231.7.0/24 masquerade
  }
}`;

async function stopDockerd(lab: Lab): Promise<void> {
  const pid = await lab.dockerdPid();
  if (pid === undefined) throw new LabError('no running dockerd found through /var/run/docker.pid');
  process.kill(pid, 'SIGTERM');
  for (let attempt = 0; attempt < 120 && ((await lab.processAlive(pid)) || (await lab.socketExists())); attempt++)
    await sleep(500);
  if (await lab.processAlive(pid)) throw new LabError(`dockerd ${pid} still runs 60 s after SIGTERM`);
}

async function forwardPolicy(lab: Lab): Promise<string> {
  return /^-P FORWARD (\S+)$/m.exec(await lab.mustRoot(['iptables', '-w', '5', '-S', 'FORWARD']))?.[1] ?? '?';
}

export default {
  kind: 'broken',
  name: 'netns-docker-forward-drop',
  ids: ['docker.forward_drop_breaks_other_bridges'],
  description: `dockerd stopped, FORWARD policy ACCEPT; the tutorial's network (${NET.bridge}) and a libvirt-style NAT bridge ${VIRBR} (accepts and masquerade in nft table ip ${LIBVIRT_TABLE}) work; then dockerd starts as at boot (ip_forward 0), turns forwarding on and sets FORWARD DROP`,
  identity: 'root',
  async setup(lab) {
    // Containers a dockerd stop ends, other sessions' too: the restore starts them again.
    lab.set('running', (await lab.runningDockerContainers()).join(' '));
    await stopDockerd(lab);
    await lab.hostGuard.setPolicy('FORWARD', 'ACCEPT');
    await buildTutorial(lab, NET, { forwardAccepts: false });
    await lab.hostGuard.sweepRulesAfterwards('10\\.231\\.7\\.');
    await lab.hostGuard.addLink(VIRBR, ['ip', 'link', 'add', VIRBR, 'type', 'bridge']);
    await lab.mustRoot(['ip', 'link', 'set', VIRBR, 'up']);
    await lab.mustRoot(['ip', 'addr', 'add', '10.231.7.1/24', 'dev', VIRBR]);
    await attachNamespace(lab, GUEST, GUEST_HOST_END, VIRBR, '10.231.7.2/24', '10.231.7.1');
    await lab.hostGuard.addNftTable('ip', LIBVIRT_TABLE, LIBVIRT_RULES);
    const before = [
      must(await getFrom(NET.red), 'pass'),
      must(await pingFrom(NET.red, NET.blueAddress), 'pass'),
      must(await getFrom(GUEST), 'pass'),
    ];
    lab.set('before', before.join('; '));
    // As at boot: forwarding off until dockerd turns it on, and with it sets FORWARD's policy to DROP.
    await lab.guard.sysctl('net.ipv4.ip_forward', '0');
    await lab.ensureDockerd();
    const policy = await forwardPolicy(lab);
    const forwarding = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    if (policy !== 'DROP' || forwarding !== '1')
      throw new LabError(`dockerd left FORWARD ${policy} and ip_forward ${forwarding} (DROP and 1 expected)`);
  },
  async proveBroken(lab) {
    const after = [
      must(await getFrom(NET.red), 'fail'),
      must(await pingFrom(NET.red, NET.blueAddress), 'fail'),
      must(await getFrom(GUEST), 'fail'),
    ];
    return `before dockerd: ${lab.get('before')}; after: ${after.join('; ')} (FORWARD policy DROP, ip_forward 1)`;
  },
  expect: () => [
    {
      id: 'docker.forward_drop_breaks_other_bridges',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.red, NET.blue] },
      title: new RegExp(
        `Docker's FORWARD DROP policy drops the traffic of bridge ${NET.bridge} \\(same-bridge, to-outside`,
      ),
    },
    {
      id: 'docker.forward_drop_breaks_other_bridges',
      severity: 'error',
      subject: { network: VIRBR, namespaces: [GUEST] },
      title: new RegExp(`drops the traffic of bridge ${VIRBR} \\(same-bridge, to-outside`),
    },
  ],
  // Four `iptables -I DOCKER-USER ...` accepts (-i and -o RELATED,ESTABLISHED per bridge); the restore removes them.
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed() {
    return [
      must(await getFrom(NET.red), 'pass'),
      must(await pingFrom(NET.red, NET.blueAddress), 'pass'),
      must(await getFrom(GUEST), 'pass'),
    ].join('; ');
  },
  async restore(lab) {
    await lab.defaultRestore();
    await lab.ensureDockerd();
    const before = (lab.maybe('running') ?? '').split(' ').filter((id) => id !== '');
    const now = new Set(await lab.runningDockerContainers());
    const again = before.filter((id) => !now.has(id));
    if (again.length > 0) {
      const result = await lab.root([DOCKER, 'start', ...again], 60_000);
      if (!ok(result)) throw new LabError(`could not start the containers dockerd's stop ended: ${output(result)}`);
    }
  },
} satisfies BrokenScenario;
