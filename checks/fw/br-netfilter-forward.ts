import { bridgeNfCallIptables, dockerFirewallSettings } from '../../src/facts/firewall.js';
import {
  bothFlavoursInUse,
  deciderEvidence,
  droppedWhere,
  evaluateNetworkPath,
  firewallInputs,
  firewallVerdict,
  firewalldZoneDrop,
  firstEndpoint,
  networkLabel,
  networkSubject,
  peerEndpoint,
  reloadCommands,
  writerInOtherFlavour,
} from '../../src/check-support/firewall.js';
import { expectedRules } from '../../src/facts/engine-rules.js';
import { acceptCommand } from '../../src/netfilter/fixes.js';
import { dropOwner } from '../../src/netfilter/owners.js';
import { sameBridgePath } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'fw.br_netfilter_forward_drop': {
    severity: 'error',
    title: 'Traffic between containers on the same bridge is dropped by the forward path',
    explanation:
      "Two containers on one network talk through a Linux bridge, which normally switches their packets without the firewall seeing them. With br_netfilter loaded and net.bridge.bridge-nf-call-iptables = 1, every bridged IPv4 packet also crosses the host's forward hook, as if it were routed. A drop there (a drop policy without an accept for the bridge, or a drop rule in any table on that hook) then cuts containers on the same network off from each other.",
    cause:
      'Docker 20.10 loads br_netfilter and sets the iptables FORWARD policy to DROP; Kubernetes guides turn bridge-nf-call-iptables on; a firewall (an nftables table, ufw, firewalld, a flushed FORWARD chain) drops forwarded traffic without an accept for the container bridge.',
    fix: "Accept traffic that enters and leaves the same container bridge in the table that drops it, or, if nothing on the host needs bridged traffic filtered, set net.bridge.bridge-nf-call-iptables to 0 (this turns off docker's icc=false isolation and kube-proxy's bridge rules).",
    docs: 'https://github.com/moby/moby/issues/48411',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'fw.br-netfilter-forward',
  title: 'Traffic between containers on the same bridge and the forward hook',
  findings: FINDINGS,
  docs: 'https://github.com/moby/moby/issues/48411',
  async run({ facts }) {
    const bridgeNf = await facts.get(bridgeNfCallIptables);
    if (!bridgeNf.ok) return cannotDecide(bridgeNf.reason);
    if (!bridgeNf.value)
      return notApplicable('net.bridge.bridge-nf-call-iptables is not 1: bridged traffic does not cross the IP hooks');
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, uplink } = inputs;
    const split = bothFlavoursInUse(firewall.model);
    const findings: Finding[] = [];
    for (const network of traffic.networks) {
      const from = firstEndpoint(network);
      const evaluation = evaluateNetworkPath(inputs, network, sameBridgePath(from, peerEndpoint(network, from), true));
      const dropper = evaluation.decidedBy;
      // A drop in a bridge table happens whatever br_netfilter does: fw.foreign_forward_drop reports it. Docker's
      // icc=false and netavark's isolate rules drop on purpose, and DOCKER-USER has a finding of its own.
      const owner =
        evaluation.verdict === 'drop' && dropper !== null && dropper.family !== 'bridge'
          ? dropOwner(firewall.model, dropper)
          : undefined;
      // A drop in one iptables flavour while the engine's accepts are in the other: fw.iptables_backend_split.
      const reportedElsewhere =
        (owner !== undefined && owner !== 'foreign' && owner !== 'docker-policy') ||
        (dropper !== null && writerInOtherFlavour(firewall.model, network.writer, dropper) !== undefined);
      if (owner === undefined || reportedElsewhere || dropper === null) continue;
      // firewalld's zone for the subnet rejects it: fw.firewalld_zone_blocks names that zone and the engine's fix.
      if (await firewalldZoneDrop(facts, network, evaluation)) continue;
      const settings = network.writer === 'docker' ? await facts.get(dockerFirewallSettings) : undefined;
      const rulesGone = expectedRules(firewall.model, network, { uplink, masquerade: false }).some(
        (expectation) => !expectation.present,
      );
      const names = network.containers.map((container) => container.name);
      findings.push(
        finding('fw.br_netfilter_forward_drop', {
          subject: networkSubject(network, names),
          title: `Containers on ${networkLabel(network)} cannot reach each other: the forward hook drops their traffic`,
          detail: `With bridge-nf-call-iptables = 1, ${evaluation.path.description} crosses the forward hook and is dropped by ${droppedWhere(dropper)}.${rulesGone ? ` The rules ${network.writer} writes for this network are missing too (see fw.engine_rules_flushed): writing them again also accepts this traffic.` : ''}`,
          evidence: [bridgeNf.evidence, deciderEvidence(firewall.model, dropper)],
          // Rules the engine writes again accept this traffic themselves; an extra accept would outlive them.
          fix:
            rulesGone && settings?.iptables !== false
              ? {
                  commands: await reloadCommands(facts, network.writer),
                  summary: `Make ${network.writer} write its rules for the network again.`,
                }
              : { commands: [acceptCommand(dropper, { iif: network.bridge, oif: network.bridge }, split)] },
        }),
      );
    }
    return firewallVerdict(inputs, findings, 'bridge-nf-call-iptables = 1; ');
  },
} satisfies Check;
