import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import type { Facts } from '../../src/facts/facts.js';
import { bridgeNfCallIptables, defaultRoute, firewallModel, rootfulTraffic } from '../../src/facts/firewall.js';
import { firstEndpoint, networkLabel, peerEndpoint, reloadCommands, writerInOtherFlavour } from '../../src/firewall/check-support.js';
import { FORWARD_MARKER_CHAIN } from '../../src/firewall/engine-rules.js';
import type { Backend, FirewallModel, ModelTable } from '../../src/firewall/model.js';
import { describeDecider } from '../../src/firewall/owners.js';
import { evaluatePath, sameBridgePath, toOutsidePath } from '../../src/firewall/paths.js';
import { finding } from '../../src/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/outcome.js';
import type { Check, Evidence } from '../../src/types.js';

const ENGINE_CHAIN = /^(DOCKER|NETAVARK|CNI-)/;

type Flavour = Extract<Backend, 'iptables-nft' | 'iptables-legacy'>;

/** Tables of one flavour that hold something: a rule, or a drop policy. */
function tablesInUse(model: FirewallModel, flavour: Flavour): ModelTable[] {
  return model.tables.filter((table) => table.backend === flavour && table.chains.some((chain) => chain.rules.length > 0 || chain.base?.policy === 'drop'));
}

function summary(tables: ModelTable[]): string {
  return tables
    .map((table) => {
      const rules = table.chains.reduce((count, chain) => count + chain.rules.length, 0);
      const drops = table.chains.filter((chain) => chain.base?.policy === 'drop').map((chain) => `${chain.name} policy DROP`);
      const engineChains = table.chains.filter((chain) => ENGINE_CHAIN.test(chain.name)).map((chain) => chain.name);
      const parts = [`${rules} rules`, ...drops, ...(engineChains.length > 0 ? [`engine chains: ${engineChains.join(', ')}`] : [])];
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
  const [traffic, route, bridgeNf] = await Promise.all([facts.get(rootfulTraffic), facts.get(defaultRoute), facts.get(bridgeNfCallIptables)]);
  const uplink = route.ok ? route.interface : undefined;
  const dropped: string[] = [];
  for (const network of traffic.networks) {
    const from = firstEndpoint(network);
    const paths = [{ what: 'to the outside', path: toOutsidePath(from, uplink) }];
    if (bridgeNf.ok && bridgeNf.value) paths.push({ what: 'between its containers', path: sameBridgePath(from, peerEndpoint(network, from), true) });
    for (const { what, path } of paths) {
      const decider = evaluatePath(model, path).decidedBy;
      const otherFlavours = decider !== null ? writerInOtherFlavour(model, network.writer, decider) : undefined;
      if (decider === null || otherFlavours === undefined) continue;
      dropped.push(`${networkLabel(network)} ${what}, by ${describeDecider(decider)}, while ${FORWARD_MARKER_CHAIN[network.writer]} is in ${otherFlavours.join(' and ')}`);
    }
  }
  return dropped;
}

export default {
  id: 'fw.iptables-backend',
  title: 'One iptables flavour (nft or legacy) for all rules',
  findings: ['fw.iptables_backend_split'],
  docs: 'https://github.com/moby/libnetwork/issues/2331',
  async run({ facts }) {
    const bridges = await facts.get(rootfulBridgeNetworks);
    if (bridges.networks.length === 0) {
      if (bridges.unknown.length > 0) return cannotDecide(`no rootful network could be listed (${bridges.unknown.join('; ')})`);
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
      { source: 'command', what: nftSource?.status === 'read' ? nftSource.command : 'nft -j list ruleset', excerpt: `${warned ? '# Warning: iptables-legacy tables present\n' : ''}${summary(nftTables)}` },
      { source: 'command', what: legacySource.map((read) => (read.status === 'read' ? read.command : '')).join(', '), excerpt: summary(legacyTables) },
    ];
    const inNft = engineChainOwners(nftTables);
    const inLegacy = engineChainOwners(legacyTables);
    const where = [inNft.length > 0 ? `${inNft.join(', ')} in iptables-nft` : '', inLegacy.length > 0 ? `${inLegacy.join(', ')} in iptables-legacy` : ''].filter((part) => part !== '');

    const flushLegacy = legacyTables.flatMap((table) => {
      const tool = table.family === 'ip6' ? 'ip6tables-legacy' : 'iptables-legacy';
      const policies = table.chains.filter((chain) => chain.base?.policy === 'drop').map((chain) => `${tool} -t ${table.name} -P ${chain.name} ACCEPT`);
      return [`${tool} -t ${table.name} -F`, `${tool} -t ${table.name} -X`, ...policies];
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
            summary: 'Use iptables-nft for everything: point the alternatives at it, empty the legacy tables (check first that nothing you need lives only there), then make the engines write their rules again.',
          },
        }),
      ],
      described,
      firewall.limits,
    );
  },
} satisfies Check;
