import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import type { Facts } from '../../src/core/facts.js';
import { bridgeNfCallIptables, defaultRoute, firewallModel, rootfulTraffic } from '../../src/facts/firewall.js';
import {
  firstEndpoint,
  networkLabel,
  peerEndpoint,
  reloadCommands,
  writerInOtherFlavour,
} from '../../src/check-support/firewall.js';
import { FORWARD_MARKER_CHAIN } from '../../src/facts/engine-rules.js';
import type { Backend, FirewallModel, ModelTable } from '../../src/netfilter/model.js';
import { describeDecider } from '../../src/netfilter/owners.js';
import { evaluatePath, sameBridgePath, toOutsidePath } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Evidence } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const ENGINE_CHAIN = /^(DOCKER|NETAVARK|CNI-)/;

type Flavour = Extract<Backend, 'iptables-nft' | 'iptables-legacy'>;

/** Tables of one flavour that hold something: a rule, or a drop policy. */
function tablesInUse(model: FirewallModel, flavour: Flavour): ModelTable[] {
  return model.tables.filter(
    (table) =>
      table.backend === flavour &&
      table.chains.some((chain) => chain.rules.length > 0 || chain.base?.policy === 'drop'),
  );
}

function summary(tables: ModelTable[]): string {
  return tables
    .map((table) => {
      const rules = table.chains.reduce((count, chain) => count + chain.rules.length, 0);
      const drops = table.chains
        .filter((chain) => chain.base?.policy === 'drop')
        .map((chain) => `${chain.name} policy DROP`);
      const engineChains = table.chains.filter((chain) => ENGINE_CHAIN.test(chain.name)).map((chain) => chain.name);
      const parts = [
        `${rules} rules`,
        ...drops,
        ...(engineChains.length > 0 ? [`engine chains: ${engineChains.join(', ')}`] : []),
      ];
      return `${table.family} ${table.name}: ${parts.join(', ')}`;
    })
    .join('\n');
}

function engineChainOwners(tables: ModelTable[]): string[] {
  const owners = new Set<string>();
  for (const chain of tables.flatMap((table) => table.chains)) {
    if (chain.name.startsWith('DOCKER')) owners.add('docker');
    if (chain.name.startsWith('NETAVARK')) owners.add('netavark');
    if (chain.name.startsWith('CNI-')) owners.add('CNI');
  }
  return [...owners];
}

/**
 * Traffic of networks with running containers (to the outside, and between containers when bridged traffic
 * crosses the IP hooks) that one flavour drops while the writer's forward chain lives in the other.
 */
async function droppedAcrossFlavours(facts: Facts, model: FirewallModel): Promise<string[]> {
  const [traffic, route, bridgeNf] = await Promise.all([
    facts.get(rootfulTraffic),
    facts.get(defaultRoute),
    facts.get(bridgeNfCallIptables),
  ]);
  const uplink = route.ok ? route.interface : undefined;
  const dropped: string[] = [];
  for (const network of traffic.networks) {
    const from = firstEndpoint(network);
    const paths = [{ what: 'to the outside', path: toOutsidePath(from, uplink) }];
    if (bridgeNf.ok && bridgeNf.value)
      paths.push({ what: 'between its containers', path: sameBridgePath(from, peerEndpoint(network, from), true) });
    for (const { what, path } of paths) {
      const decider = evaluatePath(model, path).decidedBy;
      const otherFlavours = decider !== null ? writerInOtherFlavour(model, network.writer, decider) : undefined;
      if (decider === null || otherFlavours === undefined) continue;
      dropped.push(
        `${networkLabel(network)} ${what}, by ${describeDecider(decider)}, while ${FORWARD_MARKER_CHAIN[network.writer]} is in ${otherFlavours.join(' and ')}`,
      );
    }
  }
  return dropped;
}

const FINDINGS = {
  'fw.iptables_backend_split': {
    severity: 'warning',
    title: 'Rules live in both iptables-legacy and iptables-nft',
    explanation:
      "iptables comes in two flavours that write to different kernel subsystems: iptables-legacy (x_tables) and iptables-nft (nf_tables). Each flavour's tools show only its own rules, but a packet must pass both. When one engine wrote its rules with one flavour and something else (another engine, a firewall script, an older install) used the other, a drop policy in one flavour is not answered by the accepts in the other, and NAT rules in one are invisible to the tools of the other.",
    cause:
      'The iptables alternative was switched (update-alternatives) after an engine had started, a tool or container image ships the other flavour, or a firewall package uses the other flavour than the engines.',
    fix: 'Choose one flavour (on current distributions iptables-nft), point the iptables and ip6tables alternatives at it, remove the rules from the other flavour, then make the engines write their rules again.',
    docs: 'https://github.com/moby/libnetwork/issues/2331',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'fw.iptables-backend',
  title: 'One iptables flavour (nft or legacy) for all rules',
  findings: FINDINGS,
  docs: 'https://github.com/moby/libnetwork/issues/2331',
  async run({ facts }) {
    const bridges = await facts.get(rootfulBridgeNetworks);
    if (bridges.networks.length === 0) {
      if (bridges.unknown.length > 0)
        return cannotDecide(`no rootful network could be listed (${bridges.unknown.join('; ')})`);
      return notApplicable('no rootful bridge network (docker or rootful podman) on this host');
    }
    const firewall = await facts.get(firewallModel);
    if (!firewall.ok) return cannotDecide(firewall.reason);
    const nftTables = tablesInUse(firewall.model, 'iptables-nft');
    const legacyTables = tablesInUse(firewall.model, 'iptables-legacy');
    const described = `iptables-nft: ${nftTables.length} tables in use; iptables-legacy: ${legacyTables.length} tables in use`;
    if (nftTables.length === 0 || legacyTables.length === 0) return verdict([], described, firewall.limits);

    const { iptablesNft, iptablesLegacy } = firewall.rulesets;
    const nftSource = [iptablesNft.ipv4, iptablesNft.ipv6].find((read) => read.status === 'read');
    const legacySource = [iptablesLegacy.ipv4, iptablesLegacy.ipv6].filter((read) => read.status === 'read');
    const warned = nftSource?.status === 'read' && nftSource.ruleset.legacyTablesPresent;
    const evidence: Evidence[] = [
      {
        source: 'command',
        what: nftSource?.status === 'read' ? nftSource.command : 'nft -j list ruleset',
        excerpt: `${warned ? '# Warning: iptables-legacy tables present\n' : ''}${summary(nftTables)}`,
      },
      {
        source: 'command',
        what: legacySource.map((read) => (read.status === 'read' ? read.command : '')).join(', '),
        excerpt: summary(legacyTables),
      },
    ];
    const inNft = engineChainOwners(nftTables);
    const inLegacy = engineChainOwners(legacyTables);
    const where = [
      inNft.length > 0 ? `${inNft.join(', ')} in iptables-nft` : '',
      inLegacy.length > 0 ? `${inLegacy.join(', ')} in iptables-legacy` : '',
    ].filter((part) => part !== '');

    const flushLegacy = legacyTables.flatMap((table) => {
      const tool = table.family === 'ip6' ? 'ip6tables-legacy' : 'iptables-legacy';
      const policies = table.chains
        .filter((chain) => chain.base?.policy === 'drop')
        .map((chain) => shellLine([tool, '-t', table.name, '-P', chain.name, 'ACCEPT']));
      return [shellLine([tool, '-t', table.name, '-F']), shellLine([tool, '-t', table.name, '-X']), ...policies];
    });
    // Engines whose rules are in legacy write them again, with the new alternative, into iptables-nft.
    const reloads = [
      ...(inLegacy.includes('netavark') || inLegacy.includes('CNI') ? await reloadCommands(facts, 'netavark') : []),
      ...(inLegacy.includes('docker') ? await reloadCommands(facts, 'docker') : []),
    ];
    const impact = await droppedAcrossFlavours(facts, firewall.model);
    return verdict(
      [
        finding('fw.iptables_backend_split', {
          subject: {},
          title: 'Firewall rules are split between iptables-nft and iptables-legacy',
          detail: `${where.length > 0 ? `Engine chains: ${where.join('; ')}.` : 'Neither flavour holds engine chains.'}${impact.length > 0 ? ` Dropped because of it: ${impact.join('; ')}.` : ''}`,
          evidence,
          fix: {
            commands: [
              'update-alternatives --set iptables /usr/sbin/iptables-nft',
              'update-alternatives --set ip6tables /usr/sbin/ip6tables-nft',
              ...flushLegacy,
              ...reloads,
            ],
            summary:
              'Use iptables-nft for everything: point the alternatives at it, empty the legacy tables (check first that nothing you need lives only there), then make the engines write their rules again.',
          },
        }),
      ],
      described,
      firewall.limits,
    );
  },
} satisfies Check;
