import { expectProbe, http, lookup } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { LAB_TABLE, dropLabTable, nft, recordFirewall } from './fw-common.js';

const NET = 'ndl-f2dns';

export default {
  kind: 'broken',
  name: 'fw-input-drop-dns',
  ids: ['fw.input_drop_blocks_bridge_dns'],
  description: `an nftables input chain (${LAB_TABLE}) with policy drop that accepts everything but the podman bridge: aardvark-dns on the gateway gets no query (netavark 1.4 adds no input rule), addresses still work`,
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    expectProbe(await lookup(lab.podman, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`)), 'pass');
    const bridge = await lab.podman.bridge(NET);
    lab.set('bridge', bridge);
    // Only this bridge's traffic to the host meets the drop policy: the host itself stays reachable.
    await nft(
      lab,
      `add table ${LAB_TABLE}\nadd chain ${LAB_TABLE} input { type filter hook input priority 0; policy drop; }\nadd rule ${LAB_TABLE} input iifname != "${bridge}" accept`,
    );
  },
  async proveBroken(lab) {
    const failed = expectProbe(await lookup(lab.podman, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`), 3), 'fail');
    const peer = expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass');
    return recordFirewall(lab, 'broken', `${failed}; by address: ${peer}`);
  },
  expect: (lab) => [
    {
      id: 'fw.input_drop_blocks_bridge_dns',
      severity: 'error',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
    },
  ],
  // `nft insert rule inet ndfw input iifname "<bridge>" udp dport 53 accept` (and tcp).
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) =>
    recordFirewall(
      lab,
      'fixed',
      expectProbe(await lookup(lab.podman, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`)), 'pass'),
    ),
  async restore(lab) {
    await dropLabTable(lab);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
