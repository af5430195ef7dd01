import { bridgeNfCallIptables, firewallModel } from '../facts/firewall.js';
import type { Facts } from '../core/facts.js';
import { bothFlavoursInUse, deciderEvidence } from '../check-support/firewall.js';
import { acceptCommand } from '../netfilter/fixes.js';
import type { Decider } from '../netfilter/model.js';
import { describeDecider, dropOwner, type DropOwner } from '../netfilter/owners.js';
import { bridgeToBridgePath, evaluatePath, sameBridgePath, type PathEvaluation } from '../netfilter/paths.js';
import type { Evidence } from '../core/types.js';
import type { PathPlan } from './path.js';
import type { FirewallEvaluation } from '../core/pair.js';

/** The rule or policy that drops A's packets to one port of B, and the command that lets them through. */
export interface FirewallDrop {
  port: number;
  decider: Decider;
  owner: DropOwner;
  description: string;
  evidence: Evidence;
  fix: string[];
}

export interface FirewallResult {
  evaluation: FirewallEvaluation;
  drop?: FirewallDrop;
}

function notEvaluated(reason: string): FirewallResult {
  return { evaluation: { evaluated: false, reason } };
}

function whyNotModelled(plan: PathPlan): string {
  switch (plan.kind) {
    case 'shared-namespace':
      return "A and B share one network namespace: their packets never reach the host's firewall";
    case 'host-network':
      return "traffic between the host's own network and a bridge is not modelled";
    default:
      return plan.rootless
        ? 'the rules of a rootless network namespace are not read'
        : 'the path has no host bridge on both ends';
  }
}

function traceOf(evaluation: PathEvaluation): string[] {
  return evaluation.steps.map((step) => {
    const decision = step.decidedBy === null ? 'no chain on this hook' : describeDecider(step.decidedBy);
    return `${step.packet.layer} ${step.packet.hook}: ${step.verdict} (${decision})`;
  });
}

/**
 * Runs A's TCP connection to each port of B through the model of the host's rules (the Part 2 firewall model),
 * hook by hook as paths.ts lays them out. Only rootful bridge paths cross the host's own rules.
 */
export async function evaluateFirewall(facts: Facts, plan: PathPlan, ports: number[]): Promise<FirewallResult> {
  const ends = plan.bridges;
  if (ends === undefined) return notEvaluated(whyNotModelled(plan));
  if (ports.length === 0) return notEvaluated('there is no port of B to evaluate');
  const [loaded, bridgeNf] = await Promise.all([facts.get(firewallModel), facts.get(bridgeNfCallIptables)]);
  if (!loaded.ok) return notEvaluated(loaded.reason);
  if (!bridgeNf.ok && plan.kind === 'shared-network')
    return notEvaluated(`whether bridged traffic passes iptables is unknown: ${bridgeNf.reason}`);
  const { model } = loaded;
  const evaluations = ports.map((port) => {
    const transport = { protocol: 'tcp', port };
    const path =
      plan.kind === 'shared-network'
        ? sameBridgePath(ends.from, ends.to, bridgeNf.ok && bridgeNf.value, transport)
        : bridgeToBridgePath(ends.from, ends.to, transport);
    return { port, evaluation: evaluatePath(model, path) };
  });
  const dropped = evaluations.find(
    (entry) => entry.evaluation.verdict === 'drop' && entry.evaluation.decidedBy !== null,
  );
  const chosen = dropped ?? evaluations.find((entry) => entry.evaluation.verdict === 'unknown') ?? evaluations[0]!;
  const { evaluation } = chosen;
  const decidedBy =
    evaluation.decidedBy === null
      ? 'no chain on the path'
      : `${describeDecider(evaluation.decidedBy)}${evaluation.possibleDrop ? `; if it goes the other way, ${describeDecider(evaluation.possibleDrop)} drops it` : ''}`;
  const limits = loaded.limits.length > 0 ? [`not everything could be read: ${loaded.limits.join('; ')}`] : [];
  const result: FirewallResult = {
    evaluation: {
      evaluated: true,
      verdict: `${evaluation.verdict} (tcp port ${chosen.port})`,
      decidedBy,
      trace: [...traceOf(evaluation), ...limits],
    },
  };
  if (dropped !== undefined) {
    const decider = dropped.evaluation.decidedBy!;
    const spec = {
      iif: ends.from.bridge,
      oif: ends.to.bridge,
      saddr: ends.from.address,
      daddr: ends.to.address,
      protocol: 'tcp' as const,
      dport: dropped.port,
    };
    result.drop = {
      port: dropped.port,
      decider,
      owner: dropOwner(model, decider),
      description: describeDecider(decider),
      evidence: deciderEvidence(model, decider),
      fix: [acceptCommand(decider, spec, bothFlavoursInUse(model))],
    };
  }
  return result;
}
