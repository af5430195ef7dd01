/**
 * A model of the host's netfilter rules, across every source that holds some (nftables tables of any family,
 * the tables iptables-nft keeps in nftables, and the legacy x_tables of iptables-legacy), and an evaluator
 * that answers: what happens to this packet at this hook, and which table, chain and rule (or policy) decides?
 *
 * Netfilter semantics the evaluator follows:
 * - Every base chain registered on a hook sees the packet, in order of priority, whichever table or backend
 *   it belongs to. An accept ends only the base chain it happens in; a drop anywhere is final.
 * - jump/goto/return behave as in iptables and nft; a base chain that ends without a verdict applies its policy.
 * - nat chains see only the first packet of a connection; address translation ends their evaluation like an accept.
 *
 * Rules are compared to the packet with three values. When a rule cannot be decided (an unknown expression,
 * an iptables-nft extension whose options nft hides, a field of the packet that is not known), both outcomes
 * are followed. If they disagree, the verdict is `unknown` and names the rule: better than a wrong `drop`.
 *
 * `buildModel` makes a model from parsed rulesets; `evaluate` runs one packet through one hook.
 * Paths that cross several hooks are in paths.ts.
 */
import type { IptablesChain, IptablesRule, IptablesRuleset } from './iptables-save.js';
import { iptablesAction, iptablesConditions } from './iptables-rules.js';
import type { NftChain, NftRule, NftRuleset, NftTable } from './nft.js';
import { translateNftRule } from './nft-rules.js';
import { describeCondition, testCondition, testConditions, type Action, type Condition, type Packet } from './rule.js';
import { appendAll } from '../core/lists.js';

export type { Action, Condition, Hook, Packet } from './rule.js';

/** Where a table lives: native nftables, nftables written by iptables-nft, or the legacy x_tables. */
export type Backend = 'nft' | 'iptables-nft' | 'iptables-legacy';

export interface BaseChainHook {
  /** filter, nat or route. */
  type: string;
  hook: string;
  priority: number;
  policy: 'accept' | 'drop';
}

export interface ModelRule {
  /** 1-based position in its chain, as `iptables -L --line-numbers` and nft's listing order count. */
  position: number;
  /** The rule as its tool prints it: an iptables-save line, or nft syntax. */
  text: string;
  /** The command whose output `text` comes from. */
  source: string;
  conditions: Condition[];
  action: Action;
}

export interface ModelChain {
  family: string;
  table: string;
  backend: Backend;
  name: string;
  /** Null for a chain reached only by jump or goto. */
  base: BaseChainHook | null;
  /**
   * The chain's header as its tool prints it: `:FORWARD DROP` or `chain fwd { type filter hook forward priority 0;
   * policy drop; }`.
   */
  declaration: string;
  source: string;
  rules: ModelRule[];
}

export interface ModelTable {
  /** nftables family: ip, ip6, inet, bridge, arp, netdev. iptables tables are ip (IPv4) or ip6 (IPv6). */
  family: string;
  name: string;
  backend: Backend;
  chains: ModelChain[];
}

export interface FirewallModel {
  tables: ModelTable[];
}

/** A command's parsed output, and the command line for evidence. */
export interface Sourced<T> {
  command: string;
  ruleset: T;
}

export interface RulesetSources {
  nft?: Sourced<NftRuleset>;
  /**
   * What `iptables-nft-save` and `ip6tables-nft-save` printed. With nft's listing present, they name the tables
   * that iptables-nft manages and give the options of the extensions nft shows without them.
   */
  iptablesNft?: Sourced<IptablesRuleset>[];
  iptablesLegacy?: Sourced<IptablesRuleset>[];
}

/** Hook and priority of iptables' built-in chains, for tables read from iptables-save text alone. */
const BUILTIN_CHAINS: Record<string, Record<string, { hook: string; priority: number }>> = {
  raw: { PREROUTING: { hook: 'prerouting', priority: -300 }, OUTPUT: { hook: 'output', priority: -300 } },
  mangle: {
    PREROUTING: { hook: 'prerouting', priority: -150 },
    INPUT: { hook: 'input', priority: -150 },
    FORWARD: { hook: 'forward', priority: -150 },
    OUTPUT: { hook: 'output', priority: -150 },
    POSTROUTING: { hook: 'postrouting', priority: -150 },
  },
  nat: {
    PREROUTING: { hook: 'prerouting', priority: -100 },
    INPUT: { hook: 'input', priority: 100 },
    OUTPUT: { hook: 'output', priority: -100 },
    POSTROUTING: { hook: 'postrouting', priority: 100 },
  },
  filter: {
    INPUT: { hook: 'input', priority: 0 },
    FORWARD: { hook: 'forward', priority: 0 },
    OUTPUT: { hook: 'output', priority: 0 },
  },
  security: {
    INPUT: { hook: 'input', priority: 50 },
    FORWARD: { hook: 'forward', priority: 50 },
    OUTPUT: { hook: 'output', priority: 50 },
  },
};

export function buildModel(sources: RulesetSources): FirewallModel {
  const tables: ModelTable[] = [];
  const iptablesNft = sources.iptablesNft ?? [];
  if (sources.nft) {
    for (const table of sources.nft.ruleset.tables) tables.push(tableFromNft(table, sources.nft.command, iptablesNft));
  } else {
    for (const source of iptablesNft) appendAll(tables, tablesFromIptables(source, 'iptables-nft'));
  }
  for (const source of sources.iptablesLegacy ?? []) appendAll(tables, tablesFromIptables(source, 'iptables-legacy'));
  return { tables };
}

function iptablesFamily(ruleset: IptablesRuleset): string {
  return ruleset.family === 'ipv4' ? 'ip' : 'ip6';
}

function tablesFromIptables(source: Sourced<IptablesRuleset>, backend: Backend): ModelTable[] {
  const family = iptablesFamily(source.ruleset);
  return source.ruleset.tables.map((table) => {
    const names = new Set(table.chains.map((chain) => chain.name));
    return {
      family,
      name: table.name,
      backend,
      chains: table.chains.map((chain) => {
        const builtin = BUILTIN_CHAINS[table.name]?.[chain.name];
        const base: BaseChainHook | null =
          builtin && chain.policy !== null
            ? {
                type: table.name === 'nat' ? 'nat' : 'filter',
                hook: builtin.hook,
                priority: builtin.priority,
                policy: chain.policy === 'DROP' ? 'drop' : 'accept',
              }
            : null;
        return {
          family,
          table: table.name,
          backend,
          name: chain.name,
          base,
          declaration: `:${chain.name} ${chain.policy ?? '-'}`,
          source: source.command,
          rules: chain.rules.map((rule) => iptablesModelRule(rule, names, source.command)),
        };
      }),
    };
  });
}

function iptablesModelRule(rule: IptablesRule, chainNames: ReadonlySet<string>, command: string): ModelRule {
  return {
    position: rule.position,
    text: rule.raw,
    source: command,
    conditions: iptablesConditions(rule),
    action: iptablesAction(rule, chainNames),
  };
}

/** iptables-nft makes these tables with these chains; used only when no iptables-nft-save output says so. */
function looksLikeIptablesNft(table: NftTable): boolean {
  const builtin = BUILTIN_CHAINS[table.name];
  return (
    (table.family === 'ip' || table.family === 'ip6') &&
    builtin !== undefined &&
    table.chains.some((chain) => chain.base !== null) &&
    table.chains.every((chain) => chain.base === null || builtin[chain.name] !== undefined)
  );
}

function tableFromNft(table: NftTable, command: string, iptablesNft: Sourced<IptablesRuleset>[]): ModelTable {
  const saved = iptablesNft.find((source) => iptablesFamily(source.ruleset) === table.family);
  const savedTable = saved?.ruleset.tables.find((candidate) => candidate.name === table.name);
  const managedByIptables = saved !== undefined ? savedTable !== undefined : looksLikeIptablesNft(table);
  const backend: Backend = managedByIptables ? 'iptables-nft' : 'nft';
  const chainNames = new Set(table.chains.map((chain) => chain.name));
  return {
    family: table.family,
    name: table.name,
    backend,
    chains: table.chains.map((chain) => {
      const savedChain = savedTable?.chains.find((candidate) => candidate.name === chain.name);
      return chainFromNft(
        chain,
        table,
        backend,
        command,
        savedChain && saved ? { chain: savedChain, command: saved.command, chainNames } : undefined,
      );
    }),
  };
}

function chainFromNft(
  chain: NftChain,
  table: NftTable,
  backend: Backend,
  command: string,
  saved: { chain: IptablesChain; command: string; chainNames: ReadonlySet<string> } | undefined,
): ModelChain {
  const base = chain.base && { ...chain.base };
  // Rules pair up with iptables-save's only when both list the same number: native nft rules that
  // iptables-nft-save cannot show make it print something else (see the "incompatible" recordings).
  const pairs = saved !== undefined && saved.chain.rules.length === chain.rules.length;
  const declaration =
    backend === 'iptables-nft'
      ? `:${chain.name} ${chain.base ? chain.base.policy.toUpperCase() : '-'}`
      : base
        ? `chain ${chain.name} { type ${base.type} hook ${base.hook} priority ${base.priority}; policy ${base.policy}; }`
        : `chain ${chain.name}`;
  return {
    family: chain.family,
    table: chain.table,
    backend,
    name: chain.name,
    base,
    declaration,
    source: saved && backend === 'iptables-nft' ? saved.command : command,
    rules: chain.rules.map((rule, index) => {
      const savedRule = pairs ? saved.chain.rules[index] : undefined;
      return nftModelRule(
        rule,
        table,
        command,
        savedRule && saved ? { rule: savedRule, command: saved.command, chainNames: saved.chainNames } : undefined,
      );
    }),
  };
}

function nftModelRule(
  rule: NftRule,
  table: NftTable,
  command: string,
  saved: { rule: IptablesRule; command: string; chainNames: ReadonlySet<string> } | undefined,
): ModelRule {
  const translated = translateNftRule(rule, table.sets);
  if (saved === undefined)
    return {
      position: rule.position,
      text: translated.text,
      source: command,
      conditions: translated.conditions,
      action: translated.action,
    };
  const savedAction = iptablesAction(saved.rule, saved.chainNames);
  const agrees = sameActionKind(translated.action, savedAction);
  // nft is what the kernel holds; iptables-save adds the options of extensions that nft shows as opaque `xt` matches.
  const conditions = translated.hasOpaqueMatches && agrees ? iptablesConditions(saved.rule) : translated.conditions;
  if (!agrees)
    return { position: rule.position, text: translated.text, source: command, conditions, action: translated.action };
  // iptables-save also shows a target's options (DNAT --to-destination), which nft keeps opaque.
  return { position: rule.position, text: saved.rule.raw, source: saved.command, conditions, action: savedAction };
}

function sameActionKind(nft: Action, iptables: Action): boolean {
  if (nft.kind === 'jump' || nft.kind === 'goto') return iptables.kind === nft.kind && iptables.chain === nft.chain;
  if (nft.kind === 'nat') return iptables.kind === 'nat' && iptables.nat === nft.nat;
  return nft.kind === iptables.kind;
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

export type Verdict = 'accept' | 'drop' | 'unknown';

/** What ended a base chain's evaluation: a rule, or the chain's policy. */
export interface Decider {
  family: string;
  table: string;
  backend: Backend;
  /** The chain holding the deciding rule; for a policy, the base chain. */
  chain: string;
  /** The base chain where evaluation started, and the chains jumped through to reach `chain`. */
  baseChain: string;
  via: string[];
  hook: string;
  priority: number;
  ruleIndex?: number;
  rule?: string;
  policy?: 'accept' | 'drop';
  /** The base chain's header, for a policy. */
  declaration?: string;
  /** The command whose output shows the rule or the policy. */
  source: string;
  action: 'accept' | 'drop' | 'reject' | 'masquerade' | 'snat' | 'dnat' | 'redirect' | 'unknown';
  /** For a translation: the new address, as written. For `unknown`: why it cannot be decided. */
  detail?: string;
}

/** A rule whose match could not be decided, and what about it. */
export interface Uncertainty {
  rule: Decider;
  /** The assumption the reported verdict rests on. */
  assumedMatch: boolean;
  undecided: string[];
}

export interface TraceStep {
  family: string;
  table: string;
  chain: string;
  event: 'enter' | 'match' | 'assume-match' | 'assume-no-match' | 'return' | 'policy';
  ruleIndex?: number;
  rule?: string;
  action?: string;
}

export interface ChainEvaluation {
  chain: { family: string; table: string; name: string; backend: Backend; hook: string; priority: number };
  verdict: Verdict;
  decidedBy: Decider;
  /**
   * Every distinct way the chain can end for this packet, given the rules that could not be decided, each with
   * the fewest guesses it takes to end that way.
   */
  possible: PossibleEnd[];
  trace: TraceStep[];
  uncertain: Uncertainty[];
}

export interface PossibleEnd {
  decider: Decider;
  /** Undecidable rules that must have matched (true) or not (false) for the chain to end this way. */
  assumptions: Uncertainty[];
}

export interface Evaluation {
  packet: Packet;
  verdict: Verdict;
  /**
   * drop: the dropping rule or policy. accept: the last base chain's decision. unknown: the rule that could
   * not be decided (action 'unknown'). Null when no base chain is registered on the hook.
   */
  decidedBy: Decider | null;
  /** For unknown: the rule or policy that drops the packet if the undecided rule goes that way. */
  possibleDrop?: Decider;
  uncertain: Uncertainty[];
  /** Each base chain that saw the packet, in order, up to the one that dropped it. */
  chains: ChainEvaluation[];
  trace: TraceStep[];
}

/** Undecidable rules double the ways through a chain; past this many, the rest is reported as unknown. */
const MAX_BRANCHES = 256;
const MAX_JUMP_DEPTH = 64;
const MAX_RULE_VISITS = 200_000;

/** The base chains that see this packet, in the order netfilter calls them. */
export function baseChainsFor(model: FirewallModel, packet: Packet): ModelChain[] {
  const families = tableFamiliesFor(packet);
  const chains: ModelChain[] = [];
  for (const table of model.tables) {
    if (!families.has(table.family)) continue;
    for (const chain of table.chains) {
      if (chain.base === null || chain.base.hook !== packet.hook) continue;
      if (chain.base.type === 'nat' && packet.ctState !== 'new') continue;
      chains.push(chain);
    }
  }
  // Array.prototype.sort is stable: equal priorities keep the order of the listing.
  return chains.sort((left, right) => (left.base?.priority ?? 0) - (right.base?.priority ?? 0));
}

function tableFamiliesFor(packet: Packet): Set<string> {
  if (packet.hook === 'ingress') return new Set(['netdev', 'inet']);
  if (packet.layer === 'bridge') return new Set(['bridge']);
  return new Set(packet.family === 'ipv4' ? ['ip', 'inet'] : ['ip6', 'inet']);
}

/** Runs one packet through every base chain on its hook. */
export function evaluate(model: FirewallModel, packet: Packet): Evaluation {
  const index = chainIndex(model);
  const chains: ChainEvaluation[] = [];
  let firstDrop: ChainEvaluation | undefined;
  let firstUnknown: ChainEvaluation | undefined;
  for (const chain of baseChainsFor(model, packet)) {
    const result = evaluateBaseChain(chain, packet, index);
    chains.push(result);
    if (result.verdict === 'drop') {
      firstDrop = result;
      break;
    }
    if (result.verdict === 'unknown') firstUnknown ??= result;
  }
  const trace = chains.flatMap((chain) => chain.trace);
  if (firstDrop) {
    return { packet, verdict: 'drop', decidedBy: firstDrop.decidedBy, uncertain: firstDrop.uncertain, chains, trace };
  }
  if (firstUnknown) {
    const evaluation: Evaluation = {
      packet,
      verdict: 'unknown',
      decidedBy: firstUnknown.decidedBy,
      uncertain: firstUnknown.uncertain,
      chains,
      trace,
    };
    const possibleDrop = firstUnknown.possible
      .map((end) => end.decider)
      .find((decider) => decider.action === 'drop' || decider.action === 'reject');
    if (possibleDrop) evaluation.possibleDrop = possibleDrop;
    return evaluation;
  }
  return { packet, verdict: 'accept', decidedBy: chains.at(-1)?.decidedBy ?? null, uncertain: [], chains, trace };
}

type ChainIndex = Map<string, ModelChain>;

const INDEXES = new WeakMap<FirewallModel, ChainIndex>();

function chainKey(family: string, table: string, backend: Backend, chain: string): string {
  return `${backend}\u0000${family}\u0000${table}\u0000${chain}`;
}

function chainIndex(model: FirewallModel): ChainIndex {
  let index = INDEXES.get(model);
  if (index === undefined) {
    index = new Map();
    for (const table of model.tables)
      for (const chain of table.chains) index.set(chainKey(table.family, table.name, table.backend, chain.name), chain);
    INDEXES.set(model, index);
  }
  return index;
}

interface Frame {
  chain: ModelChain;
  next: number;
}

/** One way through a base chain, being followed. */
interface Branch {
  chain: ModelChain;
  index: number;
  stack: Frame[];
  trace: TraceStep[];
  uncertain: Uncertainty[];
}

type BranchEnd = { decider: Decider; trace: TraceStep[]; uncertain: Uncertainty[] };

function evaluateBaseChain(base: ModelChain, packet: Packet, index: ChainIndex): ChainEvaluation {
  const hook = base.base!;
  const ends: BranchEnd[] = [];
  const pending: Branch[] = [{ chain: base, index: 0, stack: [], trace: [traceStep(base, 'enter')], uncertain: [] }];
  let branches = 1;
  let visits = 0;

  const decider = (chain: ModelChain, stack: Frame[], fields: Partial<Decider> & Pick<Decider, 'action'>): Decider => ({
    family: base.family,
    table: base.table,
    backend: base.backend,
    chain: chain.name,
    baseChain: base.name,
    via: [...stack.map((frame) => frame.chain.name), chain.name],
    hook: hook.hook,
    priority: hook.priority,
    source: chain.source,
    ...fields,
  });
  const ruleDecider = (branch: Branch, rule: ModelRule, action: Decider['action'], detail?: string): Decider => {
    const fields: Partial<Decider> & Pick<Decider, 'action'> = {
      action,
      ruleIndex: rule.position,
      rule: rule.text,
      source: rule.source,
    };
    if (detail !== undefined) fields.detail = detail;
    return decider(branch.chain, branch.stack, fields);
  };
  const end = (branch: Branch, endDecider: Decider) =>
    ends.push({ decider: endDecider, trace: branch.trace, uncertain: branch.uncertain });
  /** A copy of the branch that takes the other way at an undecidable rule; undefined past the budget. */
  const fork = (
    branch: Branch,
    rule: ModelRule,
    undecided: string[],
    otherAssumesMatch: boolean,
  ): Branch | undefined => {
    branches += 1;
    if (branches > MAX_BRANCHES) {
      end(
        branch,
        ruleDecider(
          branch,
          rule,
          'unknown',
          `more than ${MAX_BRANCHES} ways through the chain: too many rules that cannot be decided`,
        ),
      );
      return undefined;
    }
    const uncertainty = (assumedMatch: boolean): Uncertainty => ({
      rule: ruleDecider(branch, rule, 'unknown', `cannot decide: ${undecided.join(', ')}`),
      assumedMatch,
      undecided,
    });
    const other: Branch = {
      ...branch,
      stack: [...branch.stack],
      trace: [...branch.trace],
      uncertain: [...branch.uncertain, uncertainty(otherAssumesMatch)],
    };
    branch.uncertain.push(uncertainty(!otherAssumesMatch));
    return other;
  };

  /** Returns to the calling chain; leaving the base chain applies its policy. False when the branch has ended. */
  const leave = (branch: Branch): boolean => {
    const frame = branch.stack.pop();
    if (frame === undefined) {
      branch.trace.push(traceStep(base, 'policy', undefined, hook.policy));
      end(
        branch,
        decider(base, [], {
          action: hook.policy,
          policy: hook.policy,
          declaration: base.declaration,
          source: base.source,
        }),
      );
      return false;
    }
    branch.chain = frame.chain;
    branch.index = frame.next;
    return true;
  };

  /** Follows a matched rule's action; false when the branch has ended. */
  const follow = (action: Action, branch: Branch, rule: ModelRule, assumed: boolean): boolean => {
    const event = assumed ? 'assume-match' : 'match';
    switch (action.kind) {
      case 'accept':
      case 'drop':
      case 'reject':
        branch.trace.push(traceStep(branch.chain, event, rule, action.kind));
        end(branch, ruleDecider(branch, rule, action.kind));
        return false;
      case 'nat':
        branch.trace.push(traceStep(branch.chain, event, rule, action.nat));
        end(branch, ruleDecider(branch, rule, action.nat, action.to));
        return false;
      case 'unknown':
        branch.trace.push(traceStep(branch.chain, event, rule, 'unknown'));
        end(branch, ruleDecider(branch, rule, 'unknown', action.what));
        return false;
      case 'continue':
        branch.index += 1;
        return true;
      case 'return':
        branch.trace.push(traceStep(branch.chain, event, rule, 'return'));
        return leave(branch);
      case 'jump':
      case 'goto': {
        branch.trace.push(traceStep(branch.chain, event, rule, `${action.kind} ${action.chain}`));
        const target = index.get(chainKey(base.family, base.table, base.backend, action.chain));
        if (target === undefined || branch.stack.length >= MAX_JUMP_DEPTH) {
          end(
            branch,
            ruleDecider(
              branch,
              rule,
              'unknown',
              target === undefined ? `chain ${action.chain} is not listed` : 'jumps nest too deep',
            ),
          );
          return false;
        }
        if (action.kind === 'jump') branch.stack.push({ chain: branch.chain, next: branch.index + 1 });
        branch.chain = target;
        branch.index = 0;
        return true;
      }
      case 'map':
        for (const entry of action.entries) {
          const result = testCondition(entry.condition, packet);
          if (result === 'no') continue;
          if (result === 'yes') return follow(entry.action, branch, rule, assumed);
          const other = fork(branch, rule, [describeCondition(entry.condition)], true);
          if (other === undefined) return false;
          if (follow(entry.action, other, rule, true)) pending.push(other);
        }
        branch.index += 1;
        return true;
    }
  };

  while (pending.length > 0) {
    const branch = pending.pop()!;
    let running = true;
    while (running) {
      const rule = branch.chain.rules[branch.index];
      visits += 1;
      if (visits > MAX_RULE_VISITS) {
        end(
          branch,
          decider(branch.chain, branch.stack, {
            action: 'unknown',
            detail: `more than ${MAX_RULE_VISITS} rule visits`,
          }),
        );
        running = false;
      } else if (rule === undefined) {
        if (branch.stack.length > 0) branch.trace.push(traceStep(branch.chain, 'return'));
        running = leave(branch);
      } else {
        const test = testConditions(rule.conditions, packet);
        if (test.result === 'no' || (test.result === 'maybe' && rule.action.kind === 'continue')) {
          // A rule that only counts or logs leads on the same way whether it matches or not.
          branch.index += 1;
        } else if (test.result === 'yes') {
          running = follow(rule.action, branch, rule, false);
        } else {
          const skipped = fork(branch, rule, test.undecided.map(describeCondition), false);
          if (skipped === undefined) {
            running = false;
          } else {
            skipped.trace.push(traceStep(skipped.chain, 'assume-no-match', rule));
            skipped.index += 1;
            pending.push(skipped);
            running = follow(rule.action, branch, rule, true);
          }
        }
      }
    }
  }
  return summarizeChain(base, ends);
}

function traceStep(chain: ModelChain, event: TraceStep['event'], rule?: ModelRule, action?: string): TraceStep {
  const step: TraceStep = { family: chain.family, table: chain.table, chain: chain.name, event };
  if (rule) {
    step.ruleIndex = rule.position;
    step.rule = rule.text;
  }
  if (action !== undefined) step.action = action;
  return step;
}

function summarizeChain(base: ModelChain, ends: BranchEnd[]): ChainEvaluation {
  const hook = base.base!;
  const kindOf = (decider: Decider): Verdict =>
    decider.action === 'drop' || decider.action === 'reject'
      ? 'drop'
      : decider.action === 'unknown'
        ? 'unknown'
        : 'accept';
  // The way to report is the one resting on the fewest guesses, and among those on the fewest guessed matches.
  const assumedMatches = (item: BranchEnd) => item.uncertain.filter((uncertainty) => uncertainty.assumedMatch).length;
  const byFewestAssumptions = (left: BranchEnd, right: BranchEnd) =>
    left.uncertain.length - right.uncertain.length || assumedMatches(left) - assumedMatches(right);
  const kinds = new Set(ends.map((item) => kindOf(item.decider)));
  const possible = new Map<string, BranchEnd>();
  for (const item of [...ends].sort(byFewestAssumptions)) {
    const key = `${item.decider.chain}\u0000${item.decider.ruleIndex ?? 'policy'}\u0000${item.decider.action}`;
    if (!possible.has(key)) possible.set(key, item);
  }
  const chain = {
    family: base.family,
    table: base.table,
    name: base.name,
    backend: base.backend,
    hook: hook.hook,
    priority: hook.priority,
  };
  if (kinds.size === 1) {
    const [only] = kinds;
    const chosen = [...ends].sort(byFewestAssumptions)[0]!;
    // Every way through ends alike: the undecided rules did not matter.
    return {
      chain,
      verdict: only!,
      decidedBy: chosen.decider,
      possible: possibleEnds(possible),
      trace: chosen.trace,
      uncertain: only === 'unknown' ? chosen.uncertain : [],
    };
  }
  const risky = ends.filter((item) => kindOf(item.decider) !== 'accept').sort(byFewestAssumptions)[0]!;
  const firstAssumption = risky.uncertain[0];
  return {
    chain,
    verdict: 'unknown',
    decidedBy: firstAssumption?.rule ?? risky.decider,
    possible: possibleEnds(possible),
    trace: risky.trace,
    uncertain: risky.uncertain,
  };
}

function possibleEnds(ends: Map<string, BranchEnd>): PossibleEnd[] {
  return [...ends.values()].map((item) => ({ decider: item.decider, assumptions: item.uncertain }));
}
