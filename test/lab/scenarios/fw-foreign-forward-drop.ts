import { egress, expectProbe } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { LAB_TABLE, dropLabTable, nft, recordFirewall } from './fw-common.js';

const NET = 'ndl-f2fo';

export default {
  kind: 'broken',
  name: 'fw-foreign-forward-drop',
  ids: ['fw.foreign_forward_drop'],
  description: `a foreign nftables table (${LAB_TABLE}) with a forward chain that drops by policy: podman containers lose 198.51.100.2 although netavark's accepts are in ip filter`,
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    lab.set('bridge', await lab.podman.bridge(NET));
    await nft(
      lab,
      `add table ${LAB_TABLE}\nadd chain ${LAB_TABLE} forward_drop { type filter hook forward priority 0; policy drop; }`,
    );
  },
  proveBroken: async (lab) => recordFirewall(lab, 'broken', expectProbe(await egress(lab.podman, `${NET}-a`), 'fail')),
  expect: () => [
    { id: 'fw.foreign_forward_drop', severity: 'error', subject: { network: NET }, title: /inet ndfw forward_drop/ },
  ],
  // Accepts for the bridge (and, the finding being about the table, for the other bridges it blocks) in inet ndfw.
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => recordFirewall(lab, 'fixed', expectProbe(await egress(lab.podman, `${NET}-a`), 'pass')),
  async restore(lab) {
    await dropLabTable(lab);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
