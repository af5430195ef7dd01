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
  networksSubject,
  peerEndpoint,
  writerInOtherFlavour,
} from '../../src/check-support/firewall.js';
import { expectedRules } from '../../src/facts/engine-rules.js';
import { acceptCommand, type AcceptSpec } from '../../src/netfilter/fixes.js';
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
        if (evaluation.verdict !== 'drop' || decider === null || dropOwner(model, decider) !== 'foreign') continue;
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
      const where = droppedWhere(decider);
      return finding('fw.foreign_forward_drop', {
        subject: networksSubject(networks),
        title: `${where.charAt(0).toUpperCase()}${where.slice(1)} drops container traffic (${pathKinds})`,
        detail: `Dropped: ${paths.map((item) => item.evaluation.path.description).join('; ')}.${firewallManager(model, decider)}`,
        evidence: [deciderEvidence(model, decider)],
        fix: { commands: fixCommands(model, decider, paths, split) },
      });
    });
    return firewallVerdict(inputs, findings);
  },
} satisfies Check;

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
