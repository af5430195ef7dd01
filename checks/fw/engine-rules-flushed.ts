import { dockerFirewallSettings, type NetworkUnderTest } from '../../src/facts/firewall.js';
import { commandsRead, firewallInputs, networkLabel, networkSubject, reloadCommands } from '../../src/firewall/check-support.js';
import { expectedRules } from '../../src/firewall/engine-rules.js';
import { finding } from '../../src/finding.js';
import { verdict } from '../../src/outcome.js';
import type { Facts } from '../../src/facts/facts.js';
import type { Check, Evidence, Finding } from '../../src/types.js';

/** Debian's nftables.conf starts with this: every reload of nftables.service wipes the engines' tables. */
const FLUSH_RULESET = /^\s*flush\s+ruleset\b/m;

export default {
  id: 'fw.engine-rules',
  title: "Engines' NAT and forward rules for networks with running containers",
  findings: ['fw.engine_rules_flushed'],
  docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md#30-container-related-firewall-rules-are-lost-after-reloading-firewalld',
  async run({ host, facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { traffic, firewall, uplink, limits } = loaded.inputs;
    const findings: Finding[] = [];
    const checked: string[] = [];
    const nftablesConf = await host.readFile('/etc/nftables.conf');
    const flushesEverything = nftablesConf.ok && FLUSH_RULESET.test(nftablesConf.content);
    for (const network of traffic.networks) {
      const masquerade = await masqueradeExpected(facts, network);
      if (masquerade === 'no-iptables') {
        checked.push(`${networkLabel(network)}: dockerd runs without iptables, no rules expected`);
        continue;
      }
      if (network.network.internal) {
        checked.push(`${networkLabel(network)}: internal network, not checked`);
        continue;
      }
      const expectations = expectedRules(firewall.model, network, { uplink, masquerade });
      const missing = expectations.filter((expectation) => !expectation.present);
      checked.push(`${networkLabel(network)}: ${expectations.length - missing.length} of ${expectations.length} expected rules present`);
      if (missing.length === 0) continue;
      const evidence: Evidence[] = missing.map((expectation) => ({
        source: 'command',
        what: expectation.lookedAt.map((place) => place.source).filter((source, index, all) => all.indexOf(source) === index).join(', ') || commandsRead(firewall),
        excerpt: `missing: ${expectation.description}\n${expectation.lookedAt.map((place) => place.excerpt).join('\n') || 'no table on this hook'}`,
      }));
      if (flushesEverything) evidence.push({ source: 'file', what: '/etc/nftables.conf', excerpt: 'flush ruleset' });
      const names = network.containers.map((container) => container.name);
      findings.push(
        finding('fw.engine_rules_flushed', {
          subject: networkSubject(network, names),
          title: `The ${network.writer} rules for ${networkLabel(network)} are gone (${missing.map((expectation) => expectation.kind).join(', ')})`,
          detail: `Running containers on it: ${names.join(', ')}.${flushesEverything ? ' /etc/nftables.conf starts with `flush ruleset`: whenever nftables.service starts or reloads, it removes every table, the engines\' too.' : ''}`,
          evidence,
          fix: { commands: await reloadCommands(facts, network.writer) },
        }),
      );
    }
    return verdict(findings, checked.join('; '), limits);
  },
} satisfies Check;

/** Whether the network's writer masquerades its traffic; 'no-iptables' when dockerd writes no rules at all. */
async function masqueradeExpected(facts: Facts, network: NetworkUnderTest): Promise<boolean | 'no-iptables'> {
  if (network.writer !== 'docker') return true;
  const settings = await facts.get(dockerFirewallSettings);
  if (!settings.iptables) return 'no-iptables';
  return settings.ipMasquerade && network.network.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false';
}
