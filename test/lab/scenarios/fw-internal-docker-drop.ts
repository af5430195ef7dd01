import { readFile } from 'node:fs/promises';
import { LabError } from '../lib/exec.js';
import { expectProbe, http } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { recordFirewall } from './fw-common.js';

const NET = 'ndl-f2in';

/** The accept netdoctor prints for this state, as `iptables -S` lists it: the restore deletes it if it is there. */
function acceptRule(bridge: string): string[] {
  return ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
}

export default {
  kind: 'broken',
  name: 'fw-internal-docker-drop',
  ids: ['fw.br_netfilter_forward_drop'],
  description:
    "a podman --internal network while dockerd runs: netavark writes no forward accept for an internal network, bridge-nf-call-iptables = 1 sends its bridged traffic through FORWARD, and docker's DROP policy drops it, so its two containers cannot reach each other",
  identity: 'root',
  async setup(lab) {
    const bridgeNf = (await readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8')).trim();
    if (bridgeNf !== '1')
      throw new LabError(
        `net.bridge.bridge-nf-call-iptables is ${bridgeNf}: this scenario needs br_netfilter passing bridged traffic`,
      );
    const policy = (await lab.mustRoot(['iptables', '-w', '5', '-S', 'FORWARD'])).split('\n')[0] ?? '';
    if (policy !== '-P FORWARD DROP')
      throw new LabError(`this scenario needs docker's FORWARD DROP policy; iptables says "${policy}"`);
    await pair(lab, lab.podman, NET, ['--internal']);
    lab.set('bridge', await lab.podman.bridge(NET));
  },
  proveBroken: async (lab) =>
    recordFirewall(
      lab,
      'broken',
      expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'fail'),
    ),
  expect: (lab) => [
    {
      id: 'fw.br_netfilter_forward_drop',
      severity: 'error',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
    },
  ],
  // `iptables -I FORWARD 1 -i <bridge> -o <bridge> -j ACCEPT`
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) =>
    recordFirewall(
      lab,
      'fixed',
      expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass'),
    ),
  async restore(lab) {
    const bridge = lab.maybe('bridge');
    if (bridge !== undefined && (await lab.root(['iptables', '-w', '5', '-C', ...acceptRule(bridge)])).exitCode === 0)
      await lab.mustRoot(['iptables', '-w', '5', '-D', ...acceptRule(bridge)]);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
