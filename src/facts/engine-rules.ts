/**
 * The rules an engine writes for a network that has running containers, and whether the model still holds
 * them. What the engines write (docker 20.10, netavark 1.x with iptables, the CNI plugins 1.x):
 * - a forward accept for the network's traffic: docker in FORWARD (`-i <bridge> ! -o <bridge> -j ACCEPT`),
 *   netavark in NETAVARK_FORWARD (`-s <subnet> -j ACCEPT`), CNI in CNI-FORWARD (`-s <address> -j ACCEPT`);
 * - a masquerade for traffic leaving the network (POSTROUTING: docker directly, netavark via NETAVARK-<hash>,
 *   CNI via CNI-<hash>), except on internal networks;
 * - a DNAT to the container for each published port, reached from PREROUTING (DOCKER, NETAVARK-HOSTPORT-DNAT,
 *   CNI-HOSTPORT-DNAT).
 * Each is tested by running a packet through the model, so it does not matter how the engine spelt the rule.
 */
import type { NetworkUnderTest, RuleWriter } from './firewall.js';
import {
  evaluate,
  type ChainEvaluation,
  type Decider,
  type FirewallModel,
  type ModelChain,
  type PossibleEnd,
} from '../netfilter/model.js';
import { OUTSIDE_ADDRESS } from '../netfilter/paths.js';
import type { Packet } from '../netfilter/rule.js';

/** The chain each writer puts its forward rules in: its absence means the rules are gone. */
export const FORWARD_MARKER_CHAIN: Record<RuleWriter, string> = {
  docker: 'DOCKER',
  netavark: 'NETAVARK_FORWARD',
  cni: 'CNI-FORWARD',
};
/** nft tables written by engines that program nftables directly (netavark >= 1.9, docker >= 29). */
const NFT_ENGINE_TABLE: Record<RuleWriter, string | undefined> = {
  docker: 'docker-bridges',
  netavark: 'netavark',
  cni: undefined,
};

export interface Expectation {
  kind: 'forward-accept' | 'masquerade' | 'dnat';
  /** What should be there, in words. */
  description: string;
  present: boolean;
  /** Where it was looked for, for evidence: the chains' headers and rules as the tools print them. */
  lookedAt: { source: string; excerpt: string }[];
}

export interface ExpectationOptions {
  /** The default route's interface. */
  uplink: string | undefined;
  /** False when the writer was told not to masquerade (docker `--ip-masq=false`, a network option). */
  masquerade: boolean;
}

export function expectedRules(
  model: FirewallModel,
  network: NetworkUnderTest,
  options: ExpectationOptions,
): Expectation[] {
  const [first] = network.containers;
  if (first === undefined || network.network.internal) return [];
  const expectations: Expectation[] = [forwardAccept(model, network, first.address, options.uplink)];
  if (options.masquerade) expectations.push(masquerade(model, network, first.address, options.uplink));
  for (const container of network.containers) {
    for (const port of container.publishedPorts) {
      if (!Number.isInteger(port.hostPort) || port.hostPort <= 0) continue;
      expectations.push(dnat(model, container.address, container.name, port, options.uplink));
    }
  }
  return expectations;
}

function outgoing(hook: Packet['hook'], iif: string, address: string, uplink: string | undefined): Packet {
  const packet: Packet = {
    hook,
    layer: 'ip',
    family: 'ipv4',
    iif,
    saddr: address,
    daddr: OUTSIDE_ADDRESS,
    protocol: 'tcp',
    dport: 80,
    ctState: 'new',
    bridged: false,
    daddrLocal: false,
  };
  if (uplink !== undefined) packet.oif = uplink;
  if (hook === 'postrouting') delete packet.iif;
  return packet;
}

/** The writer's forward accept applies when, in its own table, a rule (not the policy) decides the outgoing packet. */
function forwardAccept(
  model: FirewallModel,
  network: NetworkUnderTest,
  address: string,
  uplink: string | undefined,
): Expectation {
  const marker = FORWARD_MARKER_CHAIN[network.writer];
  const engineTable = NFT_ENGINE_TABLE[network.writer];
  const owned = (place: Pick<ModelChain, 'family' | 'table' | 'backend'>) =>
    (place.backend !== 'nft' && place.table === 'filter' && tableHasChain(model, place, marker)) ||
    (place.backend === 'nft' && place.table === engineTable);
  // The writer's tables alone: a drop in another table (another iptables flavour, say) decides the packet
  // before the writer's chains are reached, but does not make the writer's rules absent.
  const ownTables = model.tables.filter((table) =>
    owned({ family: table.family, table: table.name, backend: table.backend }),
  );
  const evaluation = evaluate({ tables: ownTables }, outgoing('forward', network.bridge, address, uplink));
  const ownChains = evaluation.chains.filter((result) => owned(result.chain));
  const present = ownChains.some((result) => result.verdict === 'unknown' || result.decidedBy.policy === undefined);
  const where = ownChains.length > 0 ? ownChains.map((result) => result.chain) : filterForwardChains(model);
  return {
    kind: 'forward-accept',
    description: `a forward rule of ${network.writer} for ${network.bridge} (${marker}), which accepts traffic from ${address}`,
    present,
    lookedAt: where.map((chain) => listing(model, chain, [marker])),
  };
}

function masquerade(
  model: FirewallModel,
  network: NetworkUnderTest,
  address: string,
  uplink: string | undefined,
): Expectation {
  return masqueradeExpectation(model, network.bridge, address, `network ${network.network.name}`, uplink);
}

/**
 * Whether a MASQUERADE or SNAT rule reached from POSTROUTING translates a new connection from `address` (behind
 * `iif`) to the outside through `uplink`; `what` names the network in the description.
 */
export function masqueradeExpectation(
  model: FirewallModel,
  iif: string,
  address: string,
  what: string,
  uplink: string | undefined,
): Expectation {
  const evaluation = evaluate(model, outgoing('postrouting', iif, address, uplink));
  const translated = evaluation.chains.some((result) =>
    result.possible.some(
      (end) => (end.decider.action === 'masquerade' || end.decider.action === 'snat') && withoutGuessedMatch(end),
    ),
  );
  const natChains = evaluation.chains.filter(
    (result) => result.chain.table === 'nat' || result.possible.some((end) => end.decider.action !== 'accept'),
  );
  return {
    kind: 'masquerade',
    description: `a masquerade rule in POSTROUTING for traffic from ${address} (${what}) to the outside`,
    present: translated,
    lookedAt: (natChains.length > 0
      ? natChains.map((result) => result.chain)
      : natChainsOnHook(model, 'postrouting')
    ).map((chain) => listing(model, chain, [])),
  };
}

function dnat(
  model: FirewallModel,
  address: string,
  container: string,
  port: { hostIp?: string | undefined; hostPort: number; containerPort: number; protocol: string },
  uplink: string | undefined,
): Expectation {
  const packet: Packet = {
    hook: 'prerouting',
    layer: 'ip',
    family: 'ipv4',
    saddr: OUTSIDE_ADDRESS,
    protocol: port.protocol,
    dport: port.hostPort,
    ctState: 'new',
    daddrLocal: true,
    bridged: false,
  };
  if (uplink !== undefined) packet.iif = uplink;
  if (port.hostIp && port.hostIp !== '0.0.0.0' && port.hostIp !== '::') packet.daddr = port.hostIp;
  const evaluation = evaluate(model, packet);
  const toContainer = (decider: Decider) =>
    decider.action === 'dnat' &&
    (decider.detail === undefined || decider.detail === address || decider.detail.startsWith(`${address}:`));
  const present = evaluation.chains.some((result) =>
    result.possible.some((end) => toContainer(end.decider) && withoutGuessedMatch(end)),
  );
  return {
    kind: 'dnat',
    description: `a DNAT rule reached from PREROUTING for host port ${port.hostPort}/${port.protocol} to ${address}:${port.containerPort} (container ${container})`,
    present,
    lookedAt: natChainsOnHook(model, 'prerouting').map((chain) => listing(model, chain, [])),
  };
}

/**
 * A translation counts as there when reaching it does not rest on guessing that an undecidable rule matched
 * (netavark's `-m mark --mark 0x2000` masquerade applies only to traffic its own DNAT marked).
 */
function withoutGuessedMatch(end: PossibleEnd): boolean {
  return end.assumptions.every((assumption) => !assumption.assumedMatch);
}

function tableHasChain(
  model: FirewallModel,
  chain: Pick<ModelChain, 'family' | 'table' | 'backend'>,
  name: string,
): boolean {
  return model.tables.some(
    (table) =>
      table.family === chain.family &&
      table.name === chain.table &&
      table.backend === chain.backend &&
      table.chains.some((candidate) => candidate.name === name),
  );
}

function filterForwardChains(model: FirewallModel): ChainEvaluation['chain'][] {
  return model.tables
    .filter((table) => table.backend !== 'nft' && table.family === 'ip' && table.name === 'filter')
    .flatMap((table) => table.chains.filter((chain) => chain.name === 'FORWARD'))
    .map(chainRef);
}

function natChainsOnHook(model: FirewallModel, hook: string): ChainEvaluation['chain'][] {
  return model.tables
    .filter((table) => table.family === 'ip' || table.family === 'inet')
    .flatMap((table) => table.chains.filter((chain) => chain.base?.type === 'nat' && chain.base.hook === hook))
    .map(chainRef);
}

function chainRef(chain: ModelChain): ChainEvaluation['chain'] {
  return {
    family: chain.family,
    table: chain.table,
    name: chain.name,
    backend: chain.backend,
    hook: chain.base?.hook ?? '',
    priority: chain.base?.priority ?? 0,
  };
}

const LISTED_RULES = 12;

/** A base chain (and the named chains of the same table) as the tool prints them, for evidence. */
function listing(
  model: FirewallModel,
  ref: ChainEvaluation['chain'],
  alsoChains: string[],
): { source: string; excerpt: string } {
  const table = model.tables.find(
    (candidate) => candidate.family === ref.family && candidate.name === ref.table && candidate.backend === ref.backend,
  );
  const chains = [ref.name, ...alsoChains]
    .map((name) => table?.chains.find((chain) => chain.name === name))
    .filter((chain) => chain !== undefined);
  const lines: string[] = [
    `table ${ref.family} ${ref.table}${ref.backend === 'iptables-legacy' ? ' (iptables-legacy)' : ''}`,
  ];
  for (const chain of chains) {
    lines.push(chain.declaration);
    lines.push(...chain.rules.slice(0, LISTED_RULES).map((rule) => rule.text));
    if (chain.rules.length > LISTED_RULES) lines.push(`… ${chain.rules.length - LISTED_RULES} more rules`);
    if (chain.rules.length === 0) lines.push(`(chain ${chain.name} has no rules)`);
  }
  for (const name of alsoChains) if (!chains.some((chain) => chain.name === name)) lines.push(`(no chain ${name})`);
  return { source: chains[0]?.source ?? ref.backend, excerpt: lines.join('\n') };
}
