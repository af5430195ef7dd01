import { readFile } from 'node:fs/promises';
import { LabError } from '../lib/exec.js';
import { expectProbe, http } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { LAB_TABLE, dropLabTable, nft, recordFirewall } from './fw-common.js';

const NET = 'ndl-f2br';

export default {
  kind: 'broken',
  name: 'fw-br-netfilter-forward-drop',
  ids: ['fw.br_netfilter_forward_drop'],
  description: `bridge-nf-call-iptables = 1 and a foreign nftables table (${LAB_TABLE}) whose forward chain drops by policy: two podman containers on one bridge can no longer reach each other`,
  identity: 'root',
  async setup(lab) {
    const bridgeNf = (await readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8')).trim();
    if (bridgeNf !== '1')
      throw new LabError(
        `net.bridge.bridge-nf-call-iptables is ${bridgeNf}: this scenario needs br_netfilter passing bridged traffic`,
      );
    await pair(lab, lab.podman, NET);
    expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass');
    lab.set('bridge', await lab.podman.bridge(NET));
    await nft(
      lab,
      `add table ${LAB_TABLE}\nadd chain ${LAB_TABLE} forward_drop { type filter hook forward priority 0; policy drop; }`,
    );
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
  // `nft insert rule inet ndfw forward_drop iifname "<bridge>" oifname "<bridge>" accept`
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) =>
    recordFirewall(
      lab,
      'fixed',
      expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass'),
    ),
  async restore(lab) {
    await dropLabTable(lab);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
