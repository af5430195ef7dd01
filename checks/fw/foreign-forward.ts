import { bridgeNfCallIptables, type NetworkUnderTest } from '../../src/facts/firewall.js';
import {
  type BlockedPath,
  bothFlavoursInUse,
  deciderEvidence,
  dropGroups,
  droppedWhere,
  evaluateNetworkPaths,
  firewallInputs,
  firewallVerdict,
  firstEndpoint,
  networkLabel,
  networksSubject,
  peerEndpoint,
  writerInOtherFlavour,
} from '../../src/check-support/firewall.js';
import { expectedRules } from '../../src/facts/engine-rules.js';
import { acceptCommand, iptablesInsertCommand, type AcceptSpec } from '../../src/netfilter/fixes.js';
import type { Decider, FirewallModel } from '../../src/netfilter/model.js';
import { dropOwner, findChain } from '../../src/netfilter/owners.js';
import { publishedPortPath, sameBridgePath, toOutsidePath, type TrafficPath } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'fw.foreign_forward_drop': {
    severity: 'error',
    title: 'A firewall outside the engine drops forwarded container traffic',
    explanation:
      "Container traffic to the outside, and from the outside to published ports, is routed by the host and crosses every chain registered on the forward hook, in every table. An accept only ends the chain it is in; a drop in any other chain is final. So the engine's own accept rules do not help when another table (a hand-written nftables ruleset, ufw, firewalld) or a rule an administrator added drops the packet: containers cannot reach the outside, or published ports cannot be reached, although `iptables -L` shows the engine's accepts.",
    cause:
      'An nftables ruleset with `chain forward { type filter hook forward priority 0; policy drop; }`, ufw\'s DEFAULT_FORWARD_POLICY="DROP", firewalld without the container bridges in a trusted zone, or an iptables-persistent file that sets `:FORWARD DROP`.',
    fix: "Accept the container bridges' traffic in the table that drops it (outgoing from the bridge, replies back to it, and connections to published ports), or put the bridges in the firewall's trusted zone.",
    docs: 'https://github.com/containers/netavark/issues/977',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'fw.foreign-forward',
  title: 'Forward-hook chains outside the engines and routed container traffic',
  findings: FINDINGS,
  docs: 'https://github.com/containers/netavark/issues/977',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, uplink } = inputs;
    const { model } = firewall;
    const bridgeNf = await facts.get(bridgeNfCallIptables);
    const blocked: BlockedPath[] = [];
    for (const network of traffic.networks) {
      const rulesGone = expectedRules(model, network, { uplink, masquerade: false }).some(
        (expectation) => !expectation.present,
      );
      for (const evaluation of evaluateNetworkPaths(
        inputs,
        network,
        pathsOf(network, uplink, bridgeNf.ok && bridgeNf.value),
      )) {
        const { path } = evaluation;
        const decider = evaluation.decidedBy;
        if (evaluation.verdict !== 'drop' || decider === null) continue;
        const owner = dropOwner(model, decider);
        // Docker's FORWARD policy is foreign to podman's rules when they live in a table of their own (netavark's
        // nftables driver): podman's traffic out is dropped there. Published ports are the mixed.* finding's.
        if (
          owner !== 'foreign' &&
          !(owner === 'docker-policy' && network.writer !== 'docker' && path.kind === 'to-outside')
        )
          continue;
        // Same-bridge drops in the IP hooks are fw.br_netfilter_forward_drop's.
        if (path.kind === 'same-bridge' && decider.family !== 'bridge') continue;
        // An iptables policy that drops because the engine's accepts are gone is fw.engine_rules_flushed's.
        if (rulesGone && decider.policy !== undefined && decider.backend !== 'nft') continue;
        // A drop in one iptables flavour while the engine's accepts are in the other is fw.iptables_backend_split's.
        if (writerInOtherFlavour(model, network.writer, decider) !== undefined) continue;
        blocked.push({ network, evaluation, decider });
      }
    }
    const split = bothFlavoursInUse(model);
    const findings: Finding[] = dropGroups(blocked).map(({ decider, paths, networks, pathKinds }) => {
      const dropped = `Dropped: ${paths.map((item) => item.evaluation.path.description).join('; ')}.`;
      if (dropOwner(model, decider) === 'docker-policy')
        return dockerPolicyFinding(model, decider, paths, split, dropped);
      const where = droppedWhere(decider);
      return finding('fw.foreign_forward_drop', {
        subject: networksSubject(networks),
        title: `${where.charAt(0).toUpperCase()}${where.slice(1)} drops container traffic (${pathKinds})`,
        detail: `${dropped}${firewallManager(model, decider)}`,
        evidence: [deciderEvidence(model, decider)],
        fix: { commands: fixCommands(model, decider, paths, split) },
      });
    });
    return firewallVerdict(inputs, findings);
  },
} satisfies Check;

/**
 * Docker's DROP policy in `ip filter` FORWARD, met by podman traffic that netavark accepted only in its own
 * nftables table: an accept ends one table's chain, a drop in any other chain on the hook is final.
 */
function dockerPolicyFinding(
  model: FirewallModel,
  decider: Decider,
  group: BlockedPath[],
  split: boolean,
  dropped: string,
): Finding {
  const networks = [...new Set(group.map((item) => item.network))];
  const bridges = networks.map((network) => network.bridge);
  const writers = [...new Set(networks.map((network) => network.writer))].join(', ');
  const ownTables = [
    ...new Set(
      networks.flatMap((network) =>
        model.tables
          .filter((table) => table.backend === 'nft' && table.name === network.writer)
          .map((table) => `table ${table.family} ${table.name}`),
      ),
    ),
  ];
  return finding('fw.foreign_forward_drop', {
    subject: networksSubject(networks),
    title: `Docker's FORWARD DROP policy drops the outgoing traffic of ${networks.map((network) => networkLabel(network)).join(', ')}`,
    detail: `${dropped} docker set the policy of ip filter FORWARD to DROP (dockerd does so when it turns IP forwarding on itself) and accepts only its own networks there. ${writers} accepts this traffic only in ${ownTables.length > 0 ? ownTables.join(', ') : 'its own table'}, and an accept there does not carry the packet past docker's chain on the same hook: the containers cannot reach the outside.`,
    evidence: [deciderEvidence(model, decider)],
    fix: {
      summary:
        "Accept the bridge's outgoing traffic and its replies in DOCKER-USER (the chain docker leaves to administrators, evaluated first), and persist those rules with a unit that runs after docker; or turn IP forwarding on before dockerd starts (a file in /etc/sysctl.d), so that it leaves the FORWARD policy alone.",
      commands: bridges.flatMap((bridge) => [
        iptablesInsertCommand(decider, 'DOCKER-USER', { iif: bridge }, split),
        iptablesInsertCommand(decider, 'DOCKER-USER', { oif: bridge, established: true }, split),
      ]),
    },
  });
}

function pathsOf(network: NetworkUnderTest, uplink: string | undefined, bridgeNf: boolean): TrafficPath[] {
  const from = firstEndpoint(network);
  const paths: TrafficPath[] = [sameBridgePath(from, peerEndpoint(network, from), bridgeNf)];
  if (network.network.internal) return paths;
  paths.push(toOutsidePath(from, uplink));
  for (const container of network.containers) {
    for (const port of container.publishedPorts) {
      if (!Number.isInteger(port.hostPort) || port.hostPort <= 0 || port.hostIp?.startsWith('127.')) continue;
      paths.push(
        publishedPortPath(
          { address: container.address, bridge: network.bridge },
          { protocol: port.protocol, port: port.containerPort },
          uplink,
          port.hostPort,
        ),
      );
    }
  }
  return paths;
}

function isFirewalld(decider: Decider): boolean {
  return decider.backend === 'nft' && decider.table === 'firewalld';
}

function isUfw(model: FirewallModel, decider: Decider): boolean {
  return (
    decider.backend !== 'nft' &&
    (decider.chain.startsWith('ufw') || findChain(model, decider, 'ufw-before-forward') !== undefined)
  );
}

function firewallManager(model: FirewallModel, decider: Decider): string {
  if (isFirewalld(decider)) return " The table is firewalld's.";
  if (isUfw(model, decider)) return ' The chain belongs to ufw (DEFAULT_FORWARD_POLICY in /etc/default/ufw).';
  return '';
}

function fixCommands(model: FirewallModel, decider: Decider, group: BlockedPath[], split: boolean): string[] {
  const bridges = [...new Set(group.map((item) => item.network.bridge))];
  if (isFirewalld(decider)) {
    return bridges.flatMap((bridge) => [
      shellLine(['firewall-cmd', '--zone=trusted', `--add-interface=${bridge}`]),
      shellLine(['firewall-cmd', '--permanent', '--zone=trusted', `--add-interface=${bridge}`]),
    ]);
  }
  if (isUfw(model, decider))
    return bridges.flatMap((bridge) => [
      shellLine(['ufw', 'route', 'allow', 'in', 'on', bridge]),
      shellLine(['ufw', 'route', 'allow', 'out', 'on', bridge]),
    ]);
  const specs: AcceptSpec[] = [];
  for (const bridge of bridges) {
    const kinds = new Set(
      group.filter((item) => item.network.bridge === bridge).map((item) => item.evaluation.path.kind),
    );
    if (kinds.has('to-outside') || kinds.has('same-bridge'))
      specs.push({ iif: bridge }, { oif: bridge, established: true });
    if (kinds.has('published-port')) specs.push({ oif: bridge, dnat: true });
  }
  return specs.map((spec) => acceptCommand(decider, spec, split));
}
