import type { Lab } from '../lib/lab.js';
import { egress, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, proveEgressOnlyBroken } from '../lib/traffic.js';

const NET = 'ndl-fwd';
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** Another session's `podman run` turns forwarding back on: put it back off (the guard restores it later). */
async function reassert(lab: Lab): Promise<string | undefined> {
  if ((await lab.readHostFile(IP_FORWARD))?.trim() === '0') return undefined;
  await lab.mustRoot(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=0']);
  return 'ip_forward was 1 again';
}

export default {
  kind: 'broken',
  name: 'ip-forward-sysctl',
  ids: ['host.ip_forward_disabled'],
  description:
    'rootful podman containers running, then `sysctl -w net.ipv4.ip_forward=0`: the peer answers, 198.51.100.2 does not',
  identity: 'root',
  generations: [1, 2],
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    // After the containers: every `podman run` turns forwarding back on.
    await lab.guard.sysctl('net.ipv4.ip_forward', '0');
  },
  proveBroken: (lab) => proveEgressOnlyBroken(lab, lab.podman, NET, () => reassert(lab)),
  reassert,
  expect: () => [{ id: 'host.ip_forward_disabled', severity: 'error', title: /net\.ipv4\.ip_forward = 0/ }],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await egress(lab.podman, `${NET}-a`), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
