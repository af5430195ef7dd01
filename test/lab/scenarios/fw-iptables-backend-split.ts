import { LabError } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { egress, expectProbe } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { recordFirewall } from './fw-common.js';

const NET = 'ndl-f2sp';
const TOOLS = ['iptables', 'ip6tables'] as const;

async function alternative(lab: Lab, tool: string): Promise<string> {
  const query = await lab.mustRoot(['update-alternatives', '--query', tool]);
  const value = /^Value: (\S+)$/m.exec(query)?.[1];
  if (value === undefined) throw new LabError(`update-alternatives --query ${tool} names no value`);
  return value;
}

/** Empties the legacy tables this scenario filled (the kernel keeps the tables themselves registered). */
async function emptyLegacy(lab: Lab): Promise<void> {
  for (const [file, tool] of [['/proc/net/ip_tables_names', 'iptables-legacy'], ['/proc/net/ip6_tables_names', 'ip6tables-legacy']] as const) {
    const names = (await lab.mustRoot(['cat', file])).split('\n').filter((name) => name !== '');
    for (const table of names) {
      await lab.mustRoot([tool, '-w', '5', '-t', table, '-F']);
      await lab.mustRoot([tool, '-w', '5', '-t', table, '-X']);
    }
  }
}

export default {
  kind: 'broken',
  name: 'fw-iptables-backend-split',
  ids: ['fw.iptables_backend_split'],
  description: "the iptables alternative switched to iptables-legacy after dockerd started: netavark's accepts land in legacy, docker's FORWARD DROP policy in iptables-nft drops podman's traffic to 198.51.100.2",
  identity: 'root',
  async setup(lab) {
    const policy = (await lab.mustRoot(['iptables-nft', '-w', '5', '-S', 'FORWARD'])).split('\n')[0] ?? '';
    if (policy !== '-P FORWARD DROP') throw new LabError(`this scenario needs docker's FORWARD DROP policy in iptables-nft; it says "${policy}"`);
    const legacyBefore = (await lab.mustRoot(['iptables-legacy-save'])).split('\n').filter((line) => line.startsWith('-A '));
    if (legacyBefore.length > 0) throw new LabError(`iptables-legacy already holds rules: ${legacyBefore.join('; ')}`);
    for (const tool of TOOLS) {
      lab.set(`alternative.${tool}`, await alternative(lab, tool));
      await lab.mustRoot(['update-alternatives', '--set', tool, `/usr/sbin/${tool}-legacy`]);
    }
    await pair(lab, lab.podman, NET);
  },
  async proveBroken(lab) {
    const inLegacy = (await lab.mustRoot(['iptables-legacy', '-w', '5', '-S', 'NETAVARK_FORWARD'])).split('\n').filter((line) => line.startsWith('-A ')).length;
    return recordFirewall(lab, 'broken', `${inLegacy} NETAVARK_FORWARD rule(s) in iptables-legacy; ${expectProbe(await egress(lab.podman, `${NET}-a`), 'fail')}`);
  },
  expect: () => [{ id: 'fw.iptables_backend_split', severity: 'warning' }],
  // The alternatives back to iptables-nft, the legacy tables emptied, `podman network reload --all`.
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => recordFirewall(lab, 'fixed', expectProbe(await egress(lab.podman, `${NET}-a`), 'pass')),
  async restore(lab) {
    // Containers go first, while netavark still finds its rules where it wrote them.
    await lab.removeObjects();
    for (const tool of TOOLS) {
      const original = lab.maybe(`alternative.${tool}`);
      if (original !== undefined && (await alternative(lab, tool)) !== original) await lab.mustRoot(['update-alternatives', '--set', tool, original]);
    }
    await emptyLegacy(lab);
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
