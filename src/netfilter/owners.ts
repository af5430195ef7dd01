/**
 * Who wrote the rule or policy that decided a packet's fate: a container engine, the DOCKER-USER chain that
 * docker leaves to administrators, docker's own FORWARD policy, or someone else (a hand-written nftables
 * table, ufw, firewalld, an iptables-persistent file). Each calls for a different finding and fix.
 */
import type { Decider, FirewallModel, ModelChain } from './model.js';

export type DropOwner =
  /** The DOCKER-USER chain, or a chain it jumps to. */
  | 'docker-user'
  /** DOCKER-ISOLATION-STAGE-*: docker keeping its networks apart on purpose. */
  | 'docker-isolation'
  /** A rule in an engine's own chain or table (DOCKER, NETAVARK_*, CNI-*, nft tables netavark / docker-bridges). */
  | 'engine'
  /** Docker's `-i <bridge> -o <bridge> -j DROP` for a network with inter-container communication off (icc=false). */
  | 'docker-icc'
  /** The FORWARD drop policy of the iptables filter table that docker manages. */
  | 'docker-policy'
  | 'foreign';

const ENGINE_CHAIN = /^(DOCKER|NETAVARK|CNI-)/;
/** nftables tables that engines create when they use nft directly (netavark >= 1.9, docker >= 29). */
const ENGINE_TABLES = new Set(['netavark', 'docker-bridges']);

export function findChain(
  model: FirewallModel,
  decider: Pick<Decider, 'family' | 'table' | 'backend'>,
  name: string,
): ModelChain | undefined {
  return model.tables
    .find(
      (table) => table.family === decider.family && table.name === decider.table && table.backend === decider.backend,
    )
    ?.chains.find((chain) => chain.name === name);
}

export function dropOwner(model: FirewallModel, decider: Decider): DropOwner {
  if (decider.backend === 'nft') return ENGINE_TABLES.has(decider.table) ? 'engine' : 'foreign';
  if (decider.via.includes('DOCKER-USER')) return 'docker-user';
  if (decider.via.some((chain) => chain.startsWith('DOCKER-ISOLATION'))) return 'docker-isolation';
  if (decider.policy === undefined && ENGINE_CHAIN.test(decider.chain)) return 'engine';
  if (isDockerIccRule(model, decider)) return 'docker-icc';
  if (
    decider.policy === 'drop' &&
    decider.table === 'filter' &&
    decider.chain === 'FORWARD' &&
    findChain(model, decider, 'DOCKER-USER') !== undefined
  ) {
    return 'docker-policy';
  }
  return 'foreign';
}

/** The rule or policy as a reader finds it in the tool's output. */
export function describeDecider(decider: Decider): string {
  const where = `${decider.family} ${decider.table} ${decider.chain}`;
  if (decider.policy !== undefined) return `the ${decider.policy} policy of ${where} (${decider.source})`;
  return `rule ${decider.ruleIndex ?? '?'} of ${where}: ${decider.rule ?? ''}`;
}

/** The text that proves it: the rule line, or the chain's header with its policy. */
export function deciderExcerpt(decider: Decider): string {
  const location = `${decider.backend === 'iptables-legacy' ? 'legacy ' : ''}table ${decider.family} ${decider.table}, chain ${decider.chain}`;
  const path = decider.via.length > 1 ? ` (reached through ${decider.via.join(' → ')})` : '';
  if (decider.policy !== undefined) return `${location}: ${decider.declaration ?? `policy ${decider.policy}`}${path}`;
  return `${location}, rule ${decider.ruleIndex ?? '?'}: ${decider.rule ?? ''}${path}`;
}

function isDockerIccRule(model: FirewallModel, decider: Decider): boolean {
  if (
    decider.chain !== 'FORWARD' ||
    decider.ruleIndex === undefined ||
    findChain(model, decider, 'DOCKER') === undefined
  )
    return false;
  const rule = findChain(model, decider, 'FORWARD')?.rules[decider.ruleIndex - 1];
  const names = (direction: 'in' | 'out') =>
    rule?.conditions.flatMap((condition) =>
      condition.kind === 'interface' && condition.direction === direction && !condition.negated
        ? condition.patterns.map((pattern) => pattern.name)
        : [],
    ) ?? [];
  const [inName] = names('in');
  return rule?.action.kind === 'drop' && inName !== undefined && names('out').includes(inName);
}
