import { answeringNotRecorded, type CommandResult, type Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import { commandEvidence, dockerPresence, dockerState, failureReason, parseDockerContainers } from '../facts/docker.js';
import type { Facts } from '../core/facts.js';
import { asArray, asRecord, asString, parseEngineJson, type Container } from '../facts/model.js';
import { parsePodmanContainers, podmanCli, podmanState, rootlessUsers } from '../facts/podman.js';
import type { EngineName, Evidence } from '../core/types.js';
import { namedNamespaces, namespaceView, type NetworkView } from '../facts/netns.js';
import { parseAddress } from '../netfilter/address.js';
import { UsageError } from '../core/errors.js';

/** A container one of the engines netdoctor can ask knows by this reference. */
export interface FoundContainer {
  kind: 'found';
  reference: string;
  container: Container;
  /** The user whose engine runs it. */
  user: string;
  /** The engine's CLI, for fix commands. */
  cli: string;
  pod?: string;
  evidence: Evidence;
}

/**
 * A container seen only through its conmon process: it belongs to another user's rootless podman (or to
 * another podman store), which this user's engines cannot inspect.
 */
export interface ForeignContainer {
  kind: 'foreign';
  reference: string;
  name: string;
  id: string;
  uid: number;
  user: string;
  /** The storage root of the podman that runs it. */
  storage: string;
  /** Where this user's engines did look, and why it was not there. */
  searched: string;
  evidence: Evidence;
}

export interface MissingContainer {
  kind: 'missing';
  reference: string;
  /** Why it is not found, including what netdoctor could not search. */
  reason: string;
  evidence: Evidence[];
}

export interface AmbiguousContainer {
  kind: 'ambiguous';
  reference: string;
  candidates: FoundContainer[];
}

export type Location =
  | FoundContainer
  | ForeignContainer
  | MissingContainer
  | AmbiguousContainer
  | NamespaceLocation
  | HostLocation
  | AddressLocation;

/** `docker:web` and `podman:web` pick the engine when both have a container of that name. */
export function parseReference(reference: string): { engine?: EngineName; name: string } {
  const match = /^(docker|podman):(.+)$/.exec(reference);
  return match ? { engine: match[1] as EngineName, name: match[2]! } : { name: reference };
}

const NO_SUCH_CONTAINER = /no such (container|object)/i;

type EngineAnswer = { found: FoundContainer[] } | { cannotSearch: string } | { absent: true };

function inspectArgv(engine: EngineName, name: string): string[] {
  return [engine, 'container', 'inspect', name];
}

/** Podman's inspect has a Pod field the shared container model leaves out. */
function parsePodIds(stdout: string, command: string): Map<string, string> {
  const pods = new Map<string, string>();
  for (const entry of asArray(parseEngineJson(stdout, command))) {
    const record = asRecord(entry);
    const id = asString(record.Id);
    const pod = asString(record.Pod);
    if (id && pod) pods.set(id, pod);
  }
  return pods;
}

function interpretInspect(
  result: CommandResult,
  reference: string,
  parse: (stdout: string, command: string) => Container[],
  decorate: (
    container: Container,
    stdout: string,
    command: string,
  ) => Omit<FoundContainer, 'kind' | 'reference' | 'container' | 'evidence'>,
): EngineAnswer {
  const command = shellLine(result.argv);
  const notThere = result.exitCode !== 0 && NO_SUCH_CONTAINER.test(result.stderr);
  if (result.exitCode !== 0 && !notThere) return { cannotSearch: failureReason(result) };
  let containers: Container[];
  try {
    containers = result.stdout.trim() === '' ? [] : parse(result.stdout, command);
  } catch (error) {
    return { cannotSearch: (error as Error).message };
  }
  return {
    found: containers.map((container) => ({
      kind: 'found' as const,
      reference,
      container,
      evidence: commandEvidence(result, summarizeContainer(container)),
      ...decorate(container, result.stdout, command),
    })),
  };
}

function summarizeContainer(container: Container): string {
  const networks = container.networks
    .map((attachment) => `${attachment.network}${attachment.ipAddress ? ` ${attachment.ipAddress}` : ''}`)
    .join(', ');
  return [
    `name ${container.name}`,
    `id ${container.id.slice(0, 12)}`,
    `state ${container.state}`,
    container.pid !== undefined ? `pid ${container.pid}` : undefined,
    `network mode ${container.networkMode || 'default'}`,
    `networks: ${networks || 'none'}`,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
}

async function askDocker(facts: Facts, name: string, reference: string): Promise<EngineAnswer> {
  const presence = await facts.get(dockerPresence);
  if (presence.kind !== 'expected') return { absent: true };
  const inspect = () => answeringNotRecorded(facts.host).run(inspectArgv('docker', name));
  // When docker is likely to answer, the inspect runs beside `docker info`, not after it; it counts only if it does.
  const [state, early] = await Promise.all([
    facts.get(dockerState),
    presence.socketOpen !== false ? inspect() : undefined,
  ]);
  if (state.kind === 'absent' || state.kind === 'client-only') return { absent: true };
  if (state.kind !== 'ok') return { cannotSearch: `docker: ${state.reason}` };
  const result = early ?? (await inspect());
  return interpretInspect(result, reference, parseDockerContainers, () => ({ user: 'root', cli: 'docker' }));
}

async function askPodman(facts: Facts, name: string, reference: string): Promise<EngineAnswer> {
  if (!(await facts.get(podmanCli)).found?.executable) return { absent: true };
  // The inspect runs beside `podman info` (0.2 to 0.7 s), not after it; it counts only when podman answers.
  const [state, result] = await Promise.all([
    facts.get(podmanState),
    answeringNotRecorded(facts.host).run(inspectArgv('podman', name)),
  ]);
  if (state.kind === 'absent') return { absent: true };
  if (state.kind !== 'ok') return { cannotSearch: `podman: ${state.reason}` };
  const user = state.scope === 'rootful' ? 'root' : facts.host.context.user;
  return interpretInspect(
    result,
    reference,
    (stdout, command) => parsePodmanContainers(stdout, command, state.scope),
    (container, stdout, command) => {
      const pod = parsePodIds(stdout, command).get(container.id);
      return pod ? { user, cli: 'podman', pod } : { user, cli: 'podman' };
    },
  );
}

/** What the engines that could be asked are called in a sentence: "docker and rootful podman". */
async function searchedEngines(facts: Facts, engines: EngineName[]): Promise<string> {
  const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
  const names: string[] = [];
  if (engines.includes('docker') && docker.kind === 'ok') names.push('docker');
  if (engines.includes('podman') && podman.kind === 'ok')
    names.push(podman.scope === 'rootful' ? 'rootful podman' : `${facts.host.context.user}'s rootless podman`);
  return names.length === 0 ? 'no usable engine' : names.join(' and ');
}

export const CONMON_PROCESSES = ['ps', '-ww', '-C', 'conmon', '-o', 'uid=,user:32=,args='];

export interface ConmonProcess {
  uid: number;
  user: string;
  name: string;
  id: string;
  storage: string;
}

/** Every podman container, of any user or store, has a conmon whose arguments name it: `-n NAME -c ID -b BUNDLE`. */
export function parseConmonProcesses(stdout: string): ConmonProcess[] {
  const processes: ConmonProcess[] = [];
  for (const line of stdout.split('\n')) {
    const [uid, user, ...args] = line.trim().split(/\s+/);
    if (uid === undefined || user === undefined || !/^\d+$/.test(uid)) continue;
    const option = (flag: string) => {
      const index = args.indexOf(flag);
      return index >= 0 ? args[index + 1] : undefined;
    };
    const name = option('-n');
    const id = option('-c');
    const bundle = option('-b');
    if (name === undefined || id === undefined) continue;
    // The bundle is <storage root>/<driver>-containers/<id>/userdata (overlay, vfs, ...).
    const storage =
      bundle === undefined ? '' : (/^(.*)\/\w+-containers\/[0-9a-f]+\/userdata$/.exec(bundle)?.[1] ?? bundle);
    processes.push({ uid: Number(uid), user, name, id, storage });
  }
  return processes;
}

function matches(reference: string, name: string, id: string): boolean {
  return reference === name || (reference.length >= 3 && /^[0-9a-f]+$/.test(reference) && id.startsWith(reference));
}

async function conmonOwner(host: Host, name: string): Promise<{ process?: ConmonProcess; result: CommandResult }> {
  const result = await host.run(CONMON_PROCESSES);
  if (result.exitCode !== 0 && result.stdout.trim() === '') return { result };
  const process = parseConmonProcesses(result.stdout).find((candidate) => matches(name, candidate.name, candidate.id));
  return process ? { process, result } : { result };
}

/** "a rootless podman container of ndlab", for a container only its conmon process shows. */
export function describeForeign(
  container: Pick<ForeignContainer, 'uid' | 'user' | 'storage'>,
  context: Host['context'],
): string {
  if (container.uid !== 0) return `a rootless podman container of ${container.user}`;
  return context.uid === 0
    ? `a podman container of another storage (${container.storage})`
    : 'a rootful podman container';
}

/** Finds a container by name or id across docker and this user's podman; says what it could not search. */
export async function locate(facts: Facts, reference: string): Promise<Location> {
  const { engine, name } = parseReference(reference);
  const engines: EngineName[] = engine ? [engine] : ['docker', 'podman'];
  const answers = await Promise.all(
    engines.map((candidate) =>
      candidate === 'docker' ? askDocker(facts, name, reference) : askPodman(facts, name, reference),
    ),
  );
  const found = answers.flatMap((answer) => ('found' in answer ? answer.found : []));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) return { kind: 'ambiguous', reference, candidates: found };

  const unsearched = answers.flatMap((answer) => ('cannotSearch' in answer ? [answer.cannotSearch] : []));
  const searched = await searchedEngines(facts, engines);
  const host = answeringNotRecorded(facts.host);
  const owner = engines.includes('podman') ? await conmonOwner(host, name) : undefined;
  const podmanUnasked = answers.some((answer, index) => engines[index] === 'podman' && 'cannotSearch' in answer);
  // A conmon of netdoctor's own user may run a container of the very podman that could not be asked (an inspect
  // that timed out on a loaded host): that is no container of another storage.
  const ownPodmansPerhaps = podmanUnasked && owner?.process?.uid === host.context.uid;
  if (owner?.process !== undefined && !ownPodmansPerhaps) {
    const process = owner.process;
    return {
      kind: 'foreign',
      reference,
      name: process.name,
      id: process.id,
      uid: process.uid,
      user: process.user,
      storage: process.storage,
      searched,
      evidence: commandEvidence(
        owner.result,
        `conmon of container ${process.name} (${process.id.slice(0, 12)}) runs as ${process.user} (uid ${process.uid}), storage ${process.storage}`,
      ),
    };
  }
  const parts = [`no container ${name} in ${searched}`];
  if (unsearched.length > 0) parts.push(`not searched: ${unsearched.join('; ')}`);
  const conmon = owner?.process;
  if (ownPodmansPerhaps && conmon !== undefined)
    parts.push(
      `a conmon process of ${conmon.user} runs ${conmon.name} (storage ${conmon.storage}): it may be a container of the podman that could not be asked`,
    );
  if (host.context.uid === 0 && engines.includes('podman')) {
    const users = await facts.get(rootlessUsers);
    if (!users.ok)
      parts.push(
        `as root, netdoctor cannot see rootless containers, and which users have them is unknown (${users.reason})`,
      );
    else if (users.value.length > 0)
      parts.push(
        `as root, netdoctor cannot see the rootless containers of ${users.value.join(', ')}: run netdoctor why as that user`,
      );
  }
  return {
    kind: 'missing',
    reference,
    reason: parts.join('; '),
    evidence: owner
      ? [
          commandEvidence(
            owner.result,
            conmon === undefined
              ? `no conmon process runs a container named ${name}`
              : `conmon of container ${conmon.name} (${conmon.id.slice(0, 12)}) runs as ${conmon.user} (uid ${conmon.uid}), storage ${conmon.storage}`,
          ),
        ]
      : [],
  };
}

/** A named network namespace (`ip netns`) that no container owns, with its interfaces and routes. */
export interface NamespaceLocation {
  kind: 'namespace';
  reference: string;
  name: string;
  view: NetworkView;
  evidence: Evidence;
}

/** A service of the host itself, reached from A at the host's address on A's bridge or veth. */
export interface HostLocation {
  kind: 'host';
  reference: string;
  port?: number;
}

/** An address beyond A's namespace: another host, a fake outside host, anything A routes to. */
export interface AddressLocation {
  kind: 'address';
  reference: string;
  address: string;
  port?: number;
}

/** What a reference of `why` names, before anything is looked up. */
export type ReferenceKind =
  | { kind: 'container' }
  | { kind: 'namespace'; name: string }
  | { kind: 'host'; port?: number }
  | { kind: 'address'; address: string; port?: number };

const IPV4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d+))?$/;

function port(text: string | undefined): number | undefined | 'invalid' {
  if (text === undefined) return undefined;
  const value = Number(text);
  return /^\d+$/.test(text) && value >= 1 && value <= 65535 ? value : 'invalid';
}

/**
 * `netns:NAME`, `host`, `host:PORT`, `ADDRESS`, `ADDRESS:PORT` (IPv4); anything else names a container. A malformed
 * port is a usage error.
 */
export function classifyReference(reference: string): ReferenceKind {
  if (reference.startsWith('netns:')) {
    const name = reference.slice('netns:'.length);
    if (name === '') throw new UsageError('netns: needs the name of a network namespace (ip netns list)');
    return { kind: 'namespace', name };
  }
  const host = /^host(?::(.*))?$/.exec(reference);
  if (host !== null) {
    const given = port(host[1]);
    if (given === 'invalid') throw new UsageError(`"${host[1]}" in ${reference} is not a TCP port (1-65535)`);
    return given === undefined ? { kind: 'host' } : { kind: 'host', port: given };
  }
  const address = IPV4.exec(reference);
  if (address !== null && parseAddress(address[1]!) !== undefined) {
    const given = port(address[2]);
    if (given === 'invalid') throw new UsageError(`"${address[2]}" in ${reference} is not a TCP port (1-65535)`);
    return given === undefined
      ? { kind: 'address', address: address[1]! }
      : { kind: 'address', address: address[1]!, port: given };
  }
  return { kind: 'container' };
}

/** A named namespace by name: a hand-made one is an end of its own; a container's is found by its container. */
async function locateNamespace(facts: Facts, reference: string, name: string): Promise<Location> {
  const listing = await facts.get(namedNamespaces);
  if (!listing.ok)
    return {
      kind: 'missing',
      reference,
      reason: `the named namespaces could not be listed: ${listing.reason}`,
      evidence: [],
    };
  const listed = listing.value.items.find((item) => item.name === name);
  const evidence: Evidence = {
    source: 'command',
    what: listing.value.command,
    excerpt: listing.value.items.map((item) => item.name).join('\n') || '(no named network namespace)',
  };
  if (listed === undefined)
    return { kind: 'missing', reference, reason: `no network namespace ${name} (ip netns list)`, evidence: [evidence] };
  if (listed.container !== undefined)
    return {
      kind: 'missing',
      reference,
      reason: `network namespace ${name} belongs to a container (${listed.container}): name the container instead`,
      evidence: [evidence],
    };
  const view = await facts.get(namespaceView(name));
  if (!view.ok) return { kind: 'missing', reference, reason: view.reason, evidence: [evidence] };
  return { kind: 'namespace', reference, name, view: view.value, evidence };
}

/** Finds what a reference of `why` names: a container (see locate), a named namespace, the host or an address. */
export async function locateEndpoint(facts: Facts, reference: string): Promise<Location> {
  const kind = classifyReference(reference);
  switch (kind.kind) {
    case 'container':
      return locate(facts, reference);
    case 'namespace':
      return locateNamespace(facts, reference, kind.name);
    case 'host':
      return kind.port === undefined ? { kind: 'host', reference } : { kind: 'host', reference, port: kind.port };
    case 'address':
      return kind.port === undefined
        ? { kind: 'address', reference, address: kind.address }
        : { kind: 'address', reference, address: kind.address, port: kind.port };
  }
}
