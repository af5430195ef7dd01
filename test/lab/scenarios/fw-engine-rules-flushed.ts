import { LabError } from '../lib/exec.js';
import { egress, expectProbe } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { splitWords, recordFirewall } from './fw-common.js';

const NET = 'ndl-f2fl';

/** The rules of one table and chain that name the subnet, as `iptables -S` prints them. */
async function rulesNaming(
  lab: Parameters<BrokenScenario['setup']>[0],
  table: string,
  chain: string,
  subnet: string,
): Promise<string[]> {
  const listed = await lab.mustRoot(['iptables', '-w', '5', '-t', table, '-S', chain]);
  return listed.split('\n').filter((line) => line.startsWith(`-A ${chain} `) && line.includes(subnet));
}

export default {
  kind: 'broken',
  name: 'fw-engine-rules-flushed',
  ids: ['fw.engine_rules_flushed'],
  description:
    "netavark's forward accepts and masquerade jump for one network deleted while its containers run, as a firewall reload leaves them: 198.51.100.2 is lost until `podman network reload --all`",
  identity: 'root',
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    const subnet = await lab.podman.must([
      'network',
      'inspect',
      NET,
      '--format',
      '{{range .Subnets}}{{.Subnet}}{{end}}',
    ]);
    const forward = await rulesNaming(lab, 'filter', 'NETAVARK_FORWARD', subnet);
    const masquerade = await rulesNaming(lab, 'nat', 'POSTROUTING', subnet);
    if (forward.length === 0 || masquerade.length === 0)
      throw new LabError(
        `netavark's rules for ${subnet} were not found (forward: ${forward.length}, nat: ${masquerade.length})`,
      );
    // Only this network's rules: other networks (and other sessions) keep theirs.
    for (const rule of forward) await lab.mustRoot(['iptables', '-w', '5', ...splitWords(rule.replace(/^-A /, '-D '))]);
    for (const rule of masquerade)
      await lab.mustRoot(['iptables', '-w', '5', '-t', 'nat', ...splitWords(rule.replace(/^-A /, '-D '))]);
    lab.set('deleted', `${forward.length + masquerade.length} rules for ${subnet}`);
  },
  proveBroken: async (lab) =>
    recordFirewall(
      lab,
      'broken',
      `${lab.get('deleted')} deleted; ${expectProbe(await egress(lab.podman, `${NET}-a`), 'fail')}`,
    ),
  expect: () => [{ id: 'fw.engine_rules_flushed', severity: 'error', subject: { engine: 'podman', network: NET } }],
  // `podman network reload --all`
  fix: { kind: 'printed', runAs: 'identity' },
  proveFixed: async (lab) => recordFirewall(lab, 'fixed', expectProbe(await egress(lab.podman, `${NET}-a`), 'pass')),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
