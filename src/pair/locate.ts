import { answeringNotRecorded, type CommandResult, type Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import { commandEvidence, dockerState, failureReason, parseDockerContainers } from '../facts/docker.js';
import type { Facts } from '../core/facts.js';
import { asArray, asRecord, asString, parseEngineJson, type Container } from '../facts/model.js';
import { parsePodmanContainers, podmanState, rootlessUsers } from '../facts/podman.js';
import type { EngineName, Evidence } from '../core/types.js';

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

export type Location = FoundContainer | ForeignContainer | MissingContainer | AmbiguousContainer;

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
  const state = await facts.get(dockerState);
  if (state.kind === 'absent' || state.kind === 'client-only') return { absent: true };
  if (state.kind !== 'ok') return { cannotSearch: `docker: ${state.reason}` };
  const result = await answeringNotRecorded(facts.host).run(inspectArgv('docker', name));
  return interpretInspect(result, reference, parseDockerContainers, () => ({ user: 'root', cli: 'docker' }));
}

async function askPodman(facts: Facts, name: string, reference: string): Promise<EngineAnswer> {
  const state = await facts.get(podmanState);
  if (state.kind === 'absent') return { absent: true };
  if (state.kind !== 'ok') return { cannotSearch: `podman: ${state.reason}` };
  const result = await answeringNotRecorded(facts.host).run(inspectArgv('podman', name));
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
  if (owner?.process !== undefined) {
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
    evidence: owner ? [commandEvidence(owner.result, `no conmon process runs a container named ${name}`)] : [],
  };
}
