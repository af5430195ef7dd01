import { readFile, writeFile } from 'node:fs/promises';
import { LabError } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { expectProbe, http } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { fakeHost, serveOk } from './failure-modes-common.js';

const NET = 'ndl-v6';
const SUBNET_V4 = '10.89.190.0/24';
const SUBNET_V6 = 'fd5a:ca1:190::/64';
/** An IPv6 fake outside host of the scenario's own (documentation prefix 2001:db8::/32). */
const OUTSIDE = {
  netns: 'ndl-v6ext',
  hostIf: 'ndl-v6up',
  peerIf: 'ndl-v6x',
  hostAddress: '2001:db8:190::1/64',
  peerAddress: '2001:db8:190::2/64',
};
const URL = 'http://[2001:db8:190::2]/ok';
const FORWARDING = '/proc/sys/net/ipv6/conf/all/forwarding';

/** Another session's `podman run` on an IPv6 network turns forwarding back on: put it back off. */
async function reassert(_lab: Lab): Promise<string | undefined> {
  if ((await readFile(FORWARDING, 'utf8')).trim() === '0') return undefined;
  await writeFile(FORWARDING, '0\n');
  return 'net.ipv6.conf.all.forwarding was 1 again';
}

export default {
  kind: 'broken',
  name: 'ipv6-forwarding',
  ids: ['host.ipv6_forwarding_disabled'],
  description: `a rootful podman network with IPv6 (${SUBNET_V6}), its containers reaching ${URL} through the host, then \`sysctl -w net.ipv6.conf.all.forwarding=0\`: the IPv6 peer on the bridge answers, the outside host does not`,
  identity: 'root',
  async setup(lab) {
    await fakeHost(lab, OUTSIDE);
    await serveOk(lab, OUTSIDE.netns, OUTSIDE.peerAddress);
    await lab.guard.sysctl('net.ipv6.conf.all.forwarding', (await readFile(FORWARDING, 'utf8')).trim());
    await lab.podman.network(NET, ['--ipv6', '--subnet', SUBNET_V4, '--subnet', SUBNET_V6]);
    await lab.podman.start(`${NET}-a`, ['--network', NET]);
    await lab.podman.startWeb(`${NET}-b`, ['--network', NET]);
    const address = await lab.podman.must([
      'inspect',
      `${NET}-b`,
      '--format',
      `{{(index .NetworkSettings.Networks "${NET}").GlobalIPv6Address}}`,
    ]);
    if (!address.includes(':')) throw new LabError(`${NET}-b has no IPv6 address ("${address}")`);
    lab.set('peer6', address);
    expectProbe(await http(lab.podman, `${NET}-a`, URL), 'pass');
    // After the containers: netavark turns IPv6 forwarding on at every start on an IPv6 network.
    await lab.guard.sysctl('net.ipv6.conf.all.forwarding', '0');
  },
  async proveBroken(lab) {
    await reassert(lab);
    const outside = expectProbe(await http(lab.podman, `${NET}-a`, URL), 'fail');
    const peer = expectProbe(await http(lab.podman, `${NET}-a`, `http://[${lab.get('peer6')}]/ok`), 'pass');
    return `${outside}; ${peer}`;
  },
  reassert,
  expect: () => [
    {
      id: 'host.ipv6_forwarding_disabled',
      severity: 'error',
      subject: { network: NET },
      title: /net\.ipv6\.conf\.all\.forwarding = 0/,
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await http(lab.podman, `${NET}-a`, URL), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
