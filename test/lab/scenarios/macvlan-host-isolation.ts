import { expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { fakeHost, hostHttp } from './failure-modes-common.js';

const NET = 'ndl-mv';
const NAME = 'ndl-mv-web';
/** The "LAN": a veth whose host end is the macvlan parent, with a machine of the segment in a namespace. */
const LAN = {
  netns: 'ndl-mvlan',
  hostIf: 'ndl-mvp',
  peerIf: 'ndl-mvx',
  hostAddress: '203.0.113.1/24',
  peerAddress: '203.0.113.2/24',
};
const ADDRESS = '203.0.113.10';
const URL = `http://${ADDRESS}/ok`;
/** The interface netdoctor's fix adds (its name is derived from the parent's). */
const SHIM = 'ndl-mvp-shim';

export default {
  kind: 'broken',
  name: 'macvlan-host-isolation',
  ids: ['net.macvlan_host_isolation'],
  description: `a rootful podman macvlan network on ${LAN.hostIf} (a veth to a LAN machine in netns ${LAN.netns}), a container serving HTTP on ${ADDRESS}: the LAN machine gets the page, the host does not`,
  identity: 'root',
  async setup(lab) {
    await fakeHost(lab, LAN);
    await lab.podman.network(NET, [
      '--driver',
      'macvlan',
      '--opt',
      `parent=${LAN.hostIf}`,
      '--subnet',
      '203.0.113.0/24',
      '--gateway',
      '203.0.113.2',
    ]);
    await lab.podman.startWeb(NAME, ['--network', NET, '--ip', ADDRESS]);
    // The shim the printed fix adds: deleted by the restore whatever happens.
    await lab.hostGuard.trackLink(SHIM);
  },
  async proveBroken(lab) {
    const lan = expectProbe(await hostHttp(lab, URL, LAN.netns), 'pass');
    const host = expectProbe(await hostHttp(lab, URL), 'fail');
    return `${lan}; ${host}`;
  },
  expect: () => [
    {
      id: 'net.macvlan_host_isolation',
      severity: 'info',
      subject: { engine: 'podman', network: NET, containers: [NAME], interface: LAN.hostIf },
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await hostHttp(lab, URL), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
