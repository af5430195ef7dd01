/** What the firewall checks share: their common inputs, and evidence and limits made from evaluations. */
import {
  defaultRoute,
  firewallModel,
  rootfulTraffic,
  type ModelFact,
  type NetworkUnderTest,
  type RootfulTraffic,
  type RuleWriter,
} from '../facts/firewall.js';
import { systemdRunning } from '../facts/files.js';
import { zoneOfTraffic } from '../facts/firewalld.js';
import type { Facts } from '../core/facts.js';
import { cannotDecide, notApplicable, verdict } from '../core/outcome.js';
import type { Evidence, Finding, Subject } from '../core/types.js';
import type { CheckOutcome } from '../core/check.js';
import { addressInSubnet, parseAddressRange, rangeContains } from '../netfilter/address.js';
import { FORWARD_MARKER_CHAIN } from '../facts/engine-rules.js';
import type { Backend, Decider, FirewallModel } from '../netfilter/model.js';
import { deciderExcerpt, dropOwner, findChain, type DropOwner } from '../netfilter/owners.js';
import { evaluatePath, type Endpoint, type PathEvaluation, type TrafficPath } from '../netfilter/paths.js';

export interface FirewallInputs {
  traffic: RootfulTraffic;
  firewall: ModelFact;
  /** The default route's interface; undefined when there is none or it could not be read (see limits). */
  uplink: string | undefined;
  limits: string[];
  /** What was evaluated, a phrase per path: the summary of the check. */
  checked: string[];
}

/**
 * The rootful networks with running containers and the firewall model, or the outcome to return when the
 * check does not apply or cannot read what it needs.
 */
export async function firewallInputs(facts: Facts): Promise<{ skip: CheckOutcome } | { inputs: FirewallInputs }> {
  const traffic = await facts.get(rootfulTraffic);
  if (traffic.networks.length === 0) {
    if (traffic.unknown.length > 0)
      return { skip: cannotDecide(`no rootful network could be listed (${traffic.unknown.join('; ')})`) };
    return { skip: notApplicable('no rootful bridge network (docker or rootful podman) has a running container') };
  }
  const [firewall, route] = await Promise.all([facts.get(firewallModel), facts.get(defaultRoute)]);
  if (!firewall.ok) return { skip: cannotDecide(firewall.reason) };
  const limits = [...firewall.limits, ...traffic.unknown];
  if (!route.ok) limits.push(`the default route could not be read (${route.reason})`);
  return { inputs: { traffic, firewall, uplink: route.ok ? route.interface : undefined, limits, checked: [] } };
}

export function networkSubject(network: NetworkUnderTest, containers?: string[]): Subject {
  const subject: Subject = {
    engine: network.network.engine,
    scope: 'rootful',
    network: network.network.name,
    interface: network.bridge,
  };
  if (containers !== undefined && containers.length > 0) subject.containers = containers;
  return subject;
}

export function networkLabel(network: NetworkUnderTest): string {
  return `${network.network.engine} network ${network.network.name} (${network.bridge})`;
}

/** The first running container of the network, as one end of a path. */
export function firstEndpoint(network: NetworkUnderTest): Endpoint & { name: string } {
  const [first] = network.containers;
  return { name: first!.name, address: first!.address, bridge: network.bridge };
}

const LISTED_RULES = 12;

/**
 * Another running container of the network, or else another address in its subnet: the other end on the same bridge.
 */
export function peerEndpoint(network: NetworkUnderTest, from: Endpoint): Endpoint {
  const other = network.containers.find((container) => container.address !== from.address);
  if (other) return { address: other.address, bridge: network.bridge };
  const ipv4 = network.network.subnets.find((candidate) => !candidate.subnet.includes(':'));
  const address = [2, 3, 4]
    .map((offset) => (ipv4 ? addressInSubnet(ipv4.subnet, offset) : undefined))
    .find((candidate) => candidate !== undefined && candidate !== from.address && candidate !== ipv4?.gateway);
  return { address: address ?? from.address, bridge: network.bridge };
}

/**
 * The dropping rule, or for a policy the chain's header and the rules that were passed without a match:
 * together they show that nothing accepted the packet before the policy did.
 */
export function deciderEvidence(model: FirewallModel, decider: Decider): Evidence {
  if (decider.policy === undefined)
    return { source: 'command', what: decider.source, excerpt: deciderExcerpt(decider) };
  const rules = findChain(model, decider, decider.chain)?.rules ?? [];
  const listed = rules.slice(0, LISTED_RULES).map((rule) => rule.text);
  if (rules.length > LISTED_RULES) listed.push(`… ${rules.length - LISTED_RULES} more rules`);
  const body = listed.length > 0 ? listed.join('\n') : `(chain ${decider.chain} has no rules)`;
  return { source: 'command', what: decider.source, excerpt: `${deciderExcerpt(decider)}\n${body}` };
}

/**
 * Whether a drop is firewalld's zone policy for traffic that fw.firewalld_zone_blocks reports: the dropping rule is
 * in firewalld's own table (`inet firewalld`), the packet comes from the network's subnet, and firewalld puts that
 * subnet in a zone whose target is not ACCEPT. The zone explains the drop, and its fix (the engine binding its
 * network again) is the one to run; a second finding with an accept of its own would name a symptom as a cause.
 */
export async function firewalldZoneDrop(
  facts: Facts,
  network: NetworkUnderTest,
  evaluation: PathEvaluation,
): Promise<boolean> {
  const decider = evaluation.decidedBy;
  if (decider?.backend !== 'nft' || decider.family !== 'inet' || decider.table !== 'firewalld') return false;
  const source = evaluation.path.steps[0]?.saddr;
  if (source === undefined) return false;
  const subnet = network.network.subnets.find(({ subnet: text }) => {
    const range = parseAddressRange(text);
    return range !== undefined && rangeContains(range, source) === true;
  });
  if (subnet === undefined) return false;
  const zone = await facts.get(zoneOfTraffic(subnet.subnet, network.bridge));
  return zone.ok && zone.zone.target !== 'ACCEPT';
}

/** Commands that make an engine write its rules again. */
export async function reloadCommands(facts: Facts, writer: RuleWriter): Promise<string[]> {
  if (writer !== 'docker') return ['podman network reload --all'];
  const systemd = await facts.get(systemdRunning);
  return systemd
    ? ['systemctl restart docker']
    : ['pkill -x dockerd', 'setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &'];
}

/** What an `unknown` verdict rests on, for the check's reason: the rule that could not be decided. */
export function undecidedLimit(evaluation: PathEvaluation, label: string): string {
  const rule = evaluation.decidedBy;
  const where = rule
    ? `${rule.family} ${rule.table} ${rule.chain}${rule.ruleIndex === undefined ? '' : ` rule ${rule.ruleIndex}`}`
    : 'a rule';
  const drop = evaluation.possibleDrop
    ? `; if it goes the other way, ${deciderExcerpt(evaluation.possibleDrop)} drops it`
    : '';
  return `${label}: ${evaluation.path.description} cannot be decided: ${where} (${rule?.rule ?? ''}) ${rule?.detail ?? ''}${drop}`.replace(
    / {2,}/g,
    ' ',
  );
}

/** Whether rules of both iptables flavours are in the model: fix commands then name the flavour. */
export function bothFlavoursInUse(model: FirewallModel): boolean {
  const hasRules = (backend: 'iptables-nft' | 'iptables-legacy') =>
    model.tables.some(
      (table) =>
        table.backend === backend &&
        table.chains.some((chain) => chain.rules.length > 0 || chain.base?.policy === 'drop'),
    );
  return hasRules('iptables-nft') && hasRules('iptables-legacy');
}

/**
 * Where a drop comes from one iptables flavour while the writer's own forward chain lives only in the other:
 * the flavours the writer's chain is in (the case fw.iptables_backend_split reports), or undefined.
 */
export function writerInOtherFlavour(
  model: FirewallModel,
  writer: RuleWriter,
  decider: Decider,
): Backend[] | undefined {
  if (decider.backend === 'nft') return undefined;
  const marker = FORWARD_MARKER_CHAIN[writer];
  const backends = model.tables
    .filter((table) => table.name === 'filter' && table.chains.some((chain) => chain.name === marker))
    .map((table) => table.backend);
  return backends.length > 0 && !backends.includes(decider.backend) ? backends : undefined;
}

/** The commands whose output the model was built from, for evidence of something that is absent from all of them. */
export function commandsRead(firewall: ModelFact): string {
  const { nft, iptablesNft, iptablesLegacy } = firewall.rulesets;
  const reads = [nft, iptablesNft.ipv4, iptablesNft.ipv6, iptablesLegacy.ipv4, iptablesLegacy.ipv6];
  return reads.flatMap((read) => (read.status === 'read' ? [read.command] : [])).join(', ');
}

const OWNER_NOTES: Record<DropOwner, string> = {
  'docker-user': 'in DOCKER-USER, see docker.docker_user_drop',
  'docker-isolation': "docker's isolation of its networks, on purpose",
  'docker-icc': "docker's icc=false rule, see docker.icc_disabled",
  engine: "the engine's own rule",
  'docker-policy': "docker's FORWARD DROP policy",
  foreign: 'outside the engines',
};

/** Where a packet was dropped, in a few words: `the drop policy of ip filter FORWARD`, `rule 3 of inet fw input`. */
export function droppedWhere(decider: Decider): string {
  const chain = `${decider.family} ${decider.table} ${decider.chain}`;
  return decider.policy ? `the drop policy of ${chain}` : `rule ${decider.ruleIndex} of ${chain}`;
}

/** A check's one-line account of a path: its verdict, and for a drop who dropped it. */
export function pathOutcome(model: FirewallModel, evaluation: PathEvaluation, network: NetworkUnderTest): string {
  const decider = evaluation.decidedBy;
  const label = networkLabel(network);
  if (evaluation.verdict !== 'drop' || decider === null)
    return `${evaluation.path.kind} ${label}: ${evaluation.verdict}`;
  const note =
    writerInOtherFlavour(model, network.writer, decider) !== undefined
      ? `${network.writer}'s accepts are in the other iptables flavour`
      : OWNER_NOTES[dropOwner(model, decider)];
  return `${evaluation.path.kind} ${label}: drop (${note})`;
}

/** A path of a network that a rule or policy drops. */
export interface BlockedPath {
  network: NetworkUnderTest;
  evaluation: PathEvaluation;
  decider: Decider;
}

/** Blocked paths grouped by the rule or policy that drops them (one finding each), in first-seen order. */
export function dropGroups(
  blocked: readonly BlockedPath[],
): { decider: Decider; paths: BlockedPath[]; networks: NetworkUnderTest[]; pathKinds: string }[] {
  return groupBy(blocked, (item) => deciderKey(item.decider)).map((paths) => ({
    decider: paths[0]!.decider,
    paths,
    networks: [...new Set(paths.map((item) => item.network))],
    pathKinds: [...new Set(paths.map((item) => item.evaluation.path.kind))].join(', '),
  }));
}

/** The subject of a finding about several rootful networks of one engine: their names and bridges, comma-separated. */
export function networksSubject(networks: readonly NetworkUnderTest[]): Subject {
  return {
    engine: networks[0]!.network.engine,
    scope: 'rootful',
    network: networks.map((network) => network.network.name).join(', '),
    interface: networks.map((network) => network.bridge).join(', '),
  };
}

/** Groups items by a key, keeping first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return [...groups.values()];
}

function deciderKey(decider: Decider): string {
  return [decider.backend, decider.family, decider.table, decider.chain, decider.ruleIndex ?? 'policy'].join('\u0000');
}

/**
 * The one loop of the firewall checks: evaluates these paths of one network through the model, and notes each
 * outcome (in the check's summary) and each path that cannot be decided (in its limits).
 */
export function evaluateNetworkPaths(
  inputs: FirewallInputs,
  network: NetworkUnderTest,
  paths: readonly TrafficPath[],
  describe: (evaluation: PathEvaluation) => string = (evaluation) =>
    pathOutcome(inputs.firewall.model, evaluation, network),
): PathEvaluation[] {
  return paths.map((path) => {
    const evaluation = evaluatePath(inputs.firewall.model, path);
    inputs.checked.push(describe(evaluation));
    if (evaluation.verdict === 'unknown') inputs.limits.push(undecidedLimit(evaluation, networkLabel(network)));
    return evaluation;
  });
}

export function evaluateNetworkPath(
  inputs: FirewallInputs,
  network: NetworkUnderTest,
  path: TrafficPath,
  describe?: (evaluation: PathEvaluation) => string,
): PathEvaluation {
  return evaluateNetworkPaths(inputs, network, [path], describe)[0]!;
}

/** A firewall check's outcome: its findings, what it evaluated (after `prefix`), and what limited it. */
export function firewallVerdict(inputs: FirewallInputs, findings: Finding[], prefix = ''): CheckOutcome {
  return verdict(findings, `${prefix}${inputs.checked.join('; ')}`, inputs.limits);
}
