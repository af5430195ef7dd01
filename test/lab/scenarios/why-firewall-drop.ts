import { ok } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { byAddress, byName, db, provedFixed, reachableNow, startPair, web, whyCommand } from './why-common.js';

const P = 'ndl-wfw';
const NET = `${P}-net`;
/** The scenario's own nftables table: deleted whole by the restore. */
const TABLE = ['inet', 'ndwhy'];

async function dropTable(lab: Lab): Promise<void> {
  if (ok(await lab.root(['nft', 'list', 'table', ...TABLE]))) await lab.mustRoot(['nft', 'delete', 'table', ...TABLE]);
}

export default {
  kind: 'broken',
  name: 'why-firewall-drop',
  ids: ['pair.tcp_port_closed', 'pair.icmp_blocked'],
  description: `podman: a forward-hook rule in nftables table ${TABLE.join(' ')} drops TCP port 80 from ${web(P)} to ${db(P)} on their bridge; ping still passes`,
  identity: 'root',
  netdoctorCommand: whyCommand(P),
  async setup(lab) {
    await lab.podman.network(NET);
    await startPair(lab.podman, P, ['--network', NET]);
    const [from, to] = await Promise.all([lab.podman.ip(web(P), NET), lab.podman.ip(db(P), NET)]);
    await lab.mustRoot(['nft', 'add', 'table', ...TABLE]);
    await lab.mustRoot([
      'nft',
      'add',
      'chain',
      ...TABLE,
      'forward',
      '{ type filter hook forward priority 0; policy accept; }',
    ]);
    await lab.mustRoot([
      'nft',
      'add',
      'rule',
      ...TABLE,
      'forward',
      'ip',
      'saddr',
      from,
      'ip',
      'daddr',
      to,
      'tcp',
      'dport',
      '80',
      'drop',
    ]);
  },
  proveBroken: async (lab) => expectProbe(await byAddress(lab.podman, P, NET), 'fail'),
  expect: () => [
    {
      id: 'pair.tcp_port_closed',
      severity: 'error',
      subject: { engine: 'podman', containers: [web(P), db(P)] },
      title: new RegExp(
        `${db(P)}:80 cannot be reached from ${web(P)}: packets to [\\d.]+:80 are dropped by rule 1 of inet ndwhy forward`,
      ),
    },
    {
      id: 'pair.icmp_blocked',
      severity: 'warning',
      subject: { engine: 'podman', containers: [web(P), db(P)] },
      title: /is answered, while TCP is dropped/,
    },
  ],
  // An accept for exactly this traffic, inserted before the drop (`nft insert rule inet ndwhy forward ... accept`).
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: (lab) => provedFixed(lab, byName(lab.podman, P, NET)),
  fixedReport: reachableNow,
  async restore(lab) {
    await dropTable(lab);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
