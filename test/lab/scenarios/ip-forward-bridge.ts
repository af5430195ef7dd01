import type { Lab } from '../lib/lab.js';
import { egress, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, proveEgressOnlyBroken } from '../lib/traffic.js';

const NET = 'ndl-fwdb';

/**
 * Another session turning ip_forward off and on again resets every interface's forwarding: put the bridge's back to 0.
 */
async function reassert(lab: Lab): Promise<string | undefined> {
  const name = `net.ipv4.conf.${lab.get('bridge')}.forwarding`;
  if ((await lab.readHostFile(`/proc/sys/${name.replaceAll('.', '/')}`))?.trim() === '0') return undefined;
  await lab.mustRoot(['sysctl', '-q', '-w', `${name}=0`]);
  return `${lab.get('bridge')} forwarding was 1 again`;
}

export default {
  kind: 'broken',
  name: 'ip-forward-bridge',
  ids: ['host.ip_forward_disabled'],
  description:
    'net.ipv4.ip_forward stays 1, but forwarding is turned off on one podman bridge (`sysctl -w net.ipv4.conf.<bridge>.forwarding=0`)',
  identity: 'root',
  generations: [1, 2],
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    const bridge = await lab.podman.bridge(NET);
    lab.set('bridge', bridge);
    await lab.guard.sysctl(`net.ipv4.conf.${bridge}.forwarding`, '0');
  },
  proveBroken: async (lab) =>
    `${lab.get('bridge')}: ${await proveEgressOnlyBroken(lab, lab.podman, NET, () => reassert(lab))}`,
  reassert,
  expect: (lab) => [
    {
      id: 'host.ip_forward_disabled',
      severity: 'error',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await egress(lab.podman, `${NET}-a`), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
