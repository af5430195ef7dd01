import { bridgeNfCallIptables, dockerFirewallSettings } from '../../src/facts/firewall.js';
import {
  bothFlavoursInUse,
  deciderEvidence,
  droppedWhere,
  firewallInputs,
  firstEndpoint,
  networkLabel,
  networkSubject,
  pathOutcome,
  peerEndpoint,
  reloadCommands,
  undecidedLimit,
  writerInOtherFlavour,
} from '../../src/firewall/check-support.js';
import { expectedRules } from '../../src/firewall/engine-rules.js';
import { acceptCommand } from '../../src/firewall/fixes.js';
import { dropOwner } from '../../src/firewall/owners.js';
import { evaluatePath, sameBridgePath } from '../../src/firewall/paths.js';
import { finding } from '../../src/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/outcome.js';
import type { Check, Finding } from '../../src/types.js';

export default {
  id: 'fw.br-netfilter-forward',
  title: 'Traffic between containers on the same bridge and the forward hook',
  findings: ['fw.br_netfilter_forward_drop'],
  docs: 'https://github.com/moby/moby/issues/48411',
  async run({ facts }) {
    const bridgeNf = await facts.get(bridgeNfCallIptables);
    if (!bridgeNf.ok) return cannotDecide(bridgeNf.reason);
    if (!bridgeNf.value) return notApplicable('net.bridge.bridge-nf-call-iptables is not 1: bridged traffic does not cross the IP hooks');
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { traffic, firewall, uplink, limits } = loaded.inputs;
    const split = bothFlavoursInUse(firewall.model);
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const network of traffic.networks) {
      const from = firstEndpoint(network);
      const to = peerEndpoint(network, from);
      const evaluation = evaluatePath(firewall.model, sameBridgePath(from, to, true));
      if (evaluation.verdict === 'unknown') limits.push(undecidedLimit(evaluation, networkLabel(network)));
      const dropper = evaluation.decidedBy;
      // A drop in a bridge table happens whatever br_netfilter does: fw.foreign_forward_drop reports it. Docker's
      // icc=false and netavark's isolate rules drop on purpose, and DOCKER-USER has a finding of its own.
      const owner = evaluation.verdict === 'drop' && dropper !== null && dropper.family !== 'bridge' ? dropOwner(firewall.model, dropper) : undefined;
      // A drop in one iptables flavour while the engine's accepts are in the other: fw.iptables_backend_split.
      const reportedElsewhere =
        (owner !== undefined && owner !== 'foreign' && owner !== 'docker-policy') || (dropper !== null && writerInOtherFlavour(firewall.model, network.writer, dropper) !== undefined);
      checked.push(pathOutcome(firewall.model, evaluation, network));
      if (owner === undefined || reportedElsewhere || dropper === null) continue;
      const settings = network.writer === 'docker' ? await facts.get(dockerFirewallSettings) : undefined;
      const rulesGone = expectedRules(firewall.model, network, { uplink, masquerade: false }).some((expectation) => !expectation.present);
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
              ? { commands: await reloadCommands(facts, network.writer), summary: `Make ${network.writer} write its rules for the network again.` }
              : { commands: [acceptCommand(dropper, { iif: network.bridge, oif: network.bridge }, split)] },
        }),
      );
    }
    return verdict(findings, `bridge-nf-call-iptables = 1; ${checked.join('; ')}`, limits);
  },
} satisfies Check;
