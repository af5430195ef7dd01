import { dockerFirewallSettings, type NetworkUnderTest } from '../../src/facts/firewall.js';
import {
  commandsRead,
  firewallInputs,
  firewallVerdict,
  networkLabel,
  networkSubject,
  reloadCommands,
} from '../../src/check-support/firewall.js';
import { expectedRules } from '../../src/facts/engine-rules.js';
import { findingBuilder } from '../../src/core/finding.js';

import type { Facts } from '../../src/core/facts.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

/** Debian's nftables.conf starts with this: every reload of nftables.service wipes the engines' tables. */
const FLUSH_RULESET = /^\s*flush\s+ruleset\b/m;

const FINDINGS = {
  'fw.engine_rules_flushed': {
    severity: 'error',
    title: "The engine's firewall rules for a network with running containers are gone",
    explanation:
      "Engines write NAT and filter rules when a network gets its first container (podman) or when the daemon starts (docker): a masquerade rule so that containers reach the outside with the host's address, DNAT rules for published ports, and forward rules that accept the network's traffic. Something removed them after the containers started, so containers lose the outside, and published ports stop answering, until the engine writes its rules again.",
    cause:
      "A firewall reload that replaces the whole ruleset: Debian's nftables.service runs /etc/nftables.conf, which starts with `flush ruleset`, on start and reload; `firewall-cmd --reload`; `iptables-restore` or `netfilter-persistent reload`; `iptables -F`/`-t nat -F` by hand.",
    fix: 'Make the engine write its rules again (rootful podman: `podman network reload --all`; docker: restart dockerd), and change the firewall configuration so that reloading it leaves other tables alone (flush only its own table instead of `flush ruleset`).',
    docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md#30-container-related-firewall-rules-are-lost-after-reloading-firewalld',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'fw.engine-rules',
  title: "Engines' NAT and forward rules for networks with running containers",
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md#30-container-related-firewall-rules-are-lost-after-reloading-firewalld',
  async run({ host, facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, uplink, checked } = inputs;
    const findings: Finding[] = [];
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
      checked.push(
        `${networkLabel(network)}: ${expectations.length - missing.length} of ${expectations.length} expected rules present`,
      );
      if (missing.length === 0) continue;
      const evidence: Evidence[] = missing.map((expectation) => ({
        source: 'command',
        what:
          expectation.lookedAt
            .map((place) => place.source)
            .filter((source, index, all) => all.indexOf(source) === index)
            .join(', ') || commandsRead(firewall),
        excerpt: `missing: ${expectation.description}\n${expectation.lookedAt.map((place) => place.excerpt).join('\n') || 'no table on this hook'}`,
      }));
      if (flushesEverything) evidence.push({ source: 'file', what: '/etc/nftables.conf', excerpt: 'flush ruleset' });
      const names = network.containers.map((container) => container.name);
      findings.push(
        finding('fw.engine_rules_flushed', {
          subject: networkSubject(network, names),
          title: `The ${network.writer} rules for ${networkLabel(network)} are gone (${missing.map((expectation) => expectation.kind).join(', ')})`,
          detail: `Running containers on it: ${names.join(', ')}.${flushesEverything ? " /etc/nftables.conf starts with `flush ruleset`: whenever nftables.service starts or reloads, it removes every table, the engines' too." : ''}`,
          evidence,
          fix: { commands: await reloadCommands(facts, network.writer) },
        }),
      );
    }
    return firewallVerdict(inputs, findings);
  },
} satisfies Check;

/** Whether the network's writer masquerades its traffic; 'no-iptables' when dockerd writes no rules at all. */
async function masqueradeExpected(facts: Facts, network: NetworkUnderTest): Promise<boolean | 'no-iptables'> {
  if (network.writer !== 'docker') return true;
  const settings = await facts.get(dockerFirewallSettings);
  if (!settings.iptables) return 'no-iptables';
  return settings.ipMasquerade && network.network.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false';
}
