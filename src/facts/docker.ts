import { type CommandResult, type Host, type StatResult } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { Evidence, Scope } from '../core/types.js';
import { defineFact, type Facts } from '../core/facts.js';
import {
  describeError,
  findExecutable,
  isReadWritableBy,
  modeString,
  systemSearchPath,
  type ExecutableLookup,
} from './files.js';
import {
  EngineOutputError,
  asArray,
  asRecord,
  asString,
  asStringArray,
  asStringRecord,
  containerFromInspect,
  parseEngineJson,
  parseEngineJsonList,
  type Container,
  type ContainerNetwork,
} from './model.js';

export const DOCKER_INFO = ['docker', 'info', '--format', '{{json .}}'];
export const DOCKER_NETWORK_IDS = ['docker', 'network', 'ls', '--no-trunc', '--quiet'];
export const DOCKER_RUNNING_IDS = ['docker', 'ps', '--no-trunc', '--quiet'];
const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface DockerInfo {
  serverVersion: string;
  clientVersion?: string;
  rootless: boolean;
  ipv4Forwarding?: boolean;
  warnings: string[];
}

export type DockerUnreachableCause = 'socket-missing' | 'permission-denied' | 'refused' | 'timeout' | 'error';

export type DockerState =
  | { kind: 'absent'; lookup: ExecutableLookup }
  /**
   * A docker CLI without a daemon on this host or a socket to talk to: a client install, not a broken engine.
   * `podman` when the `docker` command is podman itself (podman-docker, a link or a wrapper script).
   */
  | { kind: 'client-only'; cli: string; reason: string; podman?: { version: string; evidence: Evidence } }
  | { kind: 'unreachable'; cli: string; cause: DockerUnreachableCause; reason: string; evidence: Evidence[] }
  /** The socket's mode does not let this user in: docker is fine as far as anyone can tell, just not for this user. */
  | { kind: 'no-access'; cli: string; reason: string; evidence: Evidence[] }
  | { kind: 'ok'; cli: string; info: DockerInfo; evidence: Evidence[] };

export function commandEvidence(result: CommandResult, excerpt?: string): Evidence {
  // A failing docker 28 client still prints a JSON of empty fields: the error is what matters.
  const output = result.exitCode === 0 ? result.stdout.trim() : result.stderr.trim() || result.stdout.trim();
  const status = result.error ? `(${result.error.message})` : `(exit ${result.exitCode ?? 'none'})`;
  return { source: 'command', what: shellLine(result.argv), excerpt: excerpt ?? `${clip(output)} ${status}`.trim() };
}

function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The unix socket the docker CLI will use, or undefined when DOCKER_HOST names something else (tcp, ssh). */
export function dockerSocketPath(dockerHost: string | undefined): string | undefined {
  if (dockerHost === undefined || dockerHost === '') return DEFAULT_SOCKET;
  return dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined;
}

/** Sorts a failed `docker info` into why the daemon cannot be used, from what the CLI printed. */
export function classifyDockerFailure(
  result: CommandResult,
  socketExists: boolean | undefined,
): { cause: DockerUnreachableCause; reason: string } {
  const stderr = result.stderr.trim();
  if (result.timedOut)
    return {
      cause: 'timeout',
      reason: `\`docker info\` did not answer within ${formatSeconds(timedOutAfterMs(result))}: the daemon hangs`,
    };
  if (/permission denied/i.test(stderr)) {
    return { cause: 'permission-denied', reason: `permission denied on the docker socket: ${firstLine(stderr)}` };
  }
  if (/connection refused/i.test(stderr))
    return { cause: 'refused', reason: `the socket refuses connections: ${firstLine(stderr)}` };
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|no such file or directory/i.test(stderr)) {
    if (socketExists === false)
      return {
        cause: 'socket-missing',
        reason: `dockerd is not running: its socket does not exist (${firstLine(stderr)})`,
      };
    return { cause: 'refused', reason: `dockerd does not answer on its socket: ${firstLine(stderr)}` };
  }
  if (result.error) return { cause: 'error', reason: `docker could not be run: ${result.error.message}` };
  return {
    cause: 'error',
    reason: `\`docker info\` failed (exit ${result.exitCode ?? 'none'}): ${firstLine(stderr) || 'no message'}`,
  };
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

/** The daemon's error in a `docker info` that printed no server version (docker 26+ exits 0 then). */
export function serverErrorOf(stdout: string): string | undefined {
  let info: Record<string, unknown>;
  try {
    info = asRecord(JSON.parse(stdout));
  } catch {
    return undefined;
  }
  if (asString(info.ServerVersion)) return undefined;
  return asStringArray(info.ServerErrors).join('\n') || undefined;
}

export function parseDockerInfo(stdout: string): DockerInfo {
  const info = asRecord(parseEngineJson(stdout, shellLine(DOCKER_INFO)));
  const serverVersion = asString(info.ServerVersion);
  if (serverVersion === undefined || serverVersion === '') {
    throw new EngineOutputError('`docker info` printed no server version');
  }
  const ipv4Forwarding = info.IPv4Forwarding;
  const result: DockerInfo = {
    serverVersion,
    rootless: asStringArray(info.SecurityOptions).some((option) => option.split(',').includes('name=rootless')),
    warnings: asStringArray(info.Warnings),
  };
  const clientVersion = asString(asRecord(info.ClientInfo).Version);
  if (clientVersion !== undefined) result.clientVersion = clientVersion;
  if (typeof ipv4Forwarding === 'boolean') result.ipv4Forwarding = ipv4Forwarding;
  return result;
}

export const DOCKER_VERSION = ['docker', '--version'];

/** podman prints `podman version X` where docker prints `Docker version X, build Y`. */
export function podmanVersionOf(stdout: string): string | undefined {
  return /^podman version (\S+)/m.exec(stdout)?.[1];
}

function podmanInfoVersion(stdout: string): string | undefined {
  try {
    const info = asRecord(JSON.parse(stdout));
    return typeof info.host === 'object' && info.host !== null ? asString(asRecord(info.version).Version) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asked only when there is no docker engine here: whether the `docker` command is podman. Its docker commands then
 * act on podman's containers and networks, and there is no docker engine to diagnose.
 */
async function dockerIsPodman(
  host: Host,
  cli: string,
): Promise<Extract<DockerState, { kind: 'client-only' }> | undefined> {
  const result = await host.run(DOCKER_VERSION);
  const version = result.exitCode === 0 ? podmanVersionOf(result.stdout) : undefined;
  if (version === undefined) return undefined;
  return {
    kind: 'client-only',
    cli,
    reason: `${cli} is podman ${version} (\`docker --version\` prints "podman version ${version}"): there is no docker engine here`,
    podman: { version, evidence: commandEvidence(result, result.stdout.trim()) },
  };
}

/** Whether a docker daemon may answer here, from the CLI's and dockerd's paths and the socket: a few stats. */
export type DockerPresence =
  | { kind: 'absent'; lookup: ExecutableLookup }
  /** A docker CLI without a daemon on this host or a socket to talk to: a client install, not a broken engine. */
  | Extract<DockerState, { kind: 'client-only' }>
  | {
      kind: 'expected';
      cli: string;
      socket?: StatResult;
      socketExists?: boolean;
      /**
       * The socket is there and its mode lets this user in: docker will most likely answer, so its listings may
       * start before `docker info` says so. Undefined when DOCKER_HOST names no unix socket.
       */
      socketOpen?: boolean;
    };

export const dockerPresence = defineFact<DockerPresence>('docker:presence', async ({ host }) => {
  const lookup = await findExecutable(host, 'docker', systemSearchPath(host.context));
  if (!lookup.found?.executable) return { kind: 'absent', lookup };
  const cli = lookup.found.path;
  const socketPath = dockerSocketPath(host.context.env.DOCKER_HOST);
  const [dockerd, socket] = await Promise.all([
    findExecutable(host, 'dockerd', systemSearchPath(host.context)),
    socketPath === undefined ? undefined : host.stat(socketPath),
  ]);
  const socketExists = socket === undefined ? undefined : socket.ok || socket.error.code !== 'ENOENT';
  if (!dockerd.found && socketExists === false && host.context.env.DOCKER_HOST === undefined) {
    const podman = await dockerIsPodman(host, cli);
    if (podman !== undefined) return podman;
    return {
      kind: 'client-only',
      cli,
      reason: `${cli} is installed, but there is no dockerd on this host and no ${socketPath}: the docker engine is not installed here`,
    };
  }
  if (socket === undefined) return { kind: 'expected', cli };
  const socketOpen = socket.ok && isReadWritableBy(socket.stat, host.context);
  return { kind: 'expected', cli, socket, socketExists, socketOpen };
});

export const dockerState = defineFact<DockerState>('docker:state', async (facts) => {
  const { host } = facts;
  const presence = await facts.get(dockerPresence);
  if (presence.kind !== 'expected') return presence;
  const { cli, socket, socketExists } = presence;
  const result = await host.run(DOCKER_INFO);
  const evidence = [commandEvidence(result)];
  if (socket !== undefined) {
    evidence.push({
      source: 'stat',
      what: socket.path,
      excerpt: socket.ok ? modeString(socket.stat) : describeError(socket.path, socket.error),
    });
  }
  // docker 26 and later print the info of an unreachable daemon with exit 0: empty fields, the error in
  // ServerErrors and on stderr.
  const serverError = result.exitCode === 0 ? serverErrorOf(result.stdout) : undefined;
  if (result.exitCode !== 0 || serverError !== undefined) {
    const failure = classifyDockerFailure(
      serverError === undefined ? result : { ...result, stderr: result.stderr.trim() || serverError },
      socketExists,
    );
    if (failure.cause === 'permission-denied' && socket?.ok && !isReadWritableBy(socket.stat, host.context)) {
      return {
        kind: 'no-access',
        cli,
        evidence,
        reason: `${host.context.user} may not use ${socket.path} (${modeString(socket.stat)}): docker is diagnosed by running netdoctor as root or as a member of the socket's group`,
      };
    }
    return { kind: 'unreachable', cli, evidence, ...failure };
  }
  try {
    return { kind: 'ok', cli, info: parseDockerInfo(result.stdout), evidence };
  } catch (error) {
    // A docker that is podman answers `docker info` with podman's own JSON (`host`, `store`, `version.Version`).
    const version = podmanInfoVersion(result.stdout);
    if (version !== undefined)
      return {
        kind: 'client-only',
        cli,
        reason: `${cli} is podman ${version} (\`docker info\` printed podman's info): there is no docker engine here`,
        podman: { version, evidence: commandEvidence(result, `podman's info, version ${version}`) },
      };
    return { kind: 'unreachable', cli, cause: 'error', reason: (error as Error).message, evidence };
  }
});

/** Items an engine listed, with the command line that printed them (for evidence). */
export type Listing<T> = { ok: true; items: T[]; command: string } | { ok: false; reason: string };

export function parseDockerNetworks(stdout: string, command: string): ContainerNetwork[] {
  return parseEngineJsonList(stdout, command).map((entry) => {
    const network = asRecord(entry);
    const options = asStringRecord(network.Options);
    const name = asString(network.Name) ?? '';
    const driver = asString(network.Driver) ?? '';
    const bridge =
      options['com.docker.network.bridge.name'] ??
      (driver === 'bridge' ? `br-${(asString(network.Id) ?? '').slice(0, 12)}` : undefined);
    const result: ContainerNetwork = {
      engine: 'docker',
      scope: 'rootful',
      name,
      id: asString(network.Id) ?? '',
      driver,
      subnets: asArray(asRecord(network.IPAM).Config).map((config) => {
        const record = asRecord(config);
        const gateway = asString(record.Gateway);
        return gateway ? { subnet: asString(record.Subnet) ?? '', gateway } : { subnet: asString(record.Subnet) ?? '' };
      }),
      // Docker's embedded DNS serves every user-defined network, never the default bridge.
      dnsEnabled:
        driver !== 'host' && driver !== 'null' && options['com.docker.network.bridge.default_bridge'] !== 'true',
      internal: network.Internal === true,
      isDefault: options['com.docker.network.bridge.default_bridge'] === 'true',
      options,
    };
    if (bridge !== undefined) result.bridge = bridge;
    return result;
  });
}

export function parseDockerContainers(stdout: string, command: string): Container[] {
  return parseEngineJsonList(stdout, command).map((entry) => {
    const container = asRecord(entry);
    return containerFromInspect(container, {
      engine: 'docker',
      scope: 'rootful',
      name: (asString(container.Name) ?? '').replace(/^\//, ''),
      image: asString(asRecord(container.Config).Image) ?? '',
    });
  });
}

/** What a listing command and the inspect of the ids it printed gave, before it is parsed. */
type Inspected = { ok: true; stdout: string; command: string } | { ok: false; reason: string };

/** Runs a listing command for ids, then an inspect of those ids: two commands, whatever the count. */
async function listAndInspect(
  run: (argv: readonly string[]) => Promise<CommandResult>,
  listArgv: string[],
  inspectArgv: string[],
): Promise<Inspected> {
  const listed = await run(listArgv);
  if (listed.exitCode !== 0) return { ok: false, reason: failureReason(listed) };
  const ids = listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (ids.length === 0) return { ok: true, stdout: '[]', command: shellLine(listArgv) };
  const inspected = await run([...inspectArgv, ...ids]);
  // Something listed may be gone by the time it is inspected: inspect then fails for that id only.
  if (inspected.exitCode !== 0 && inspected.stdout.trim() === '')
    return { ok: false, reason: failureReason(inspected) };
  return { ok: true, stdout: inspected.stdout, command: shellLine(inspected.argv) };
}

/**
 * An engine's listing (ids, then one inspect of them all). With `besideInfo` its commands run beside the engine's
 * `info`, the slowest engine command, rather than after it; either way it counts only once the engine answers.
 */
export async function listBesideInfo<T>(
  run: (argv: readonly string[]) => Promise<CommandResult>,
  listArgv: string[],
  inspectArgv: string[],
  besideInfo: boolean,
  /** The engine's scope once it answers; undefined when it does not. */
  answering: Promise<Scope | undefined>,
  unusable: string,
  parse: (stdout: string, command: string, scope: Scope) => T[],
): Promise<Listing<T>> {
  let scope: Scope | undefined;
  let inspected: Inspected | undefined;
  if (besideInfo) [scope, inspected] = await Promise.all([answering, listAndInspect(run, listArgv, inspectArgv)]);
  else scope = await answering;
  if (scope === undefined) return { ok: false, reason: unusable };
  inspected ??= await listAndInspect(run, listArgv, inspectArgv);
  if (!inspected.ok) return inspected;
  try {
    return { ok: true, items: parse(inspected.stdout, inspected.command, scope), command: inspected.command };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** The time limit a command was killed at (snapshots before it was recorded give how long it ran). */
export function timedOutAfterMs(result: CommandResult): number {
  return result.timeoutMs ?? result.durationMs;
}

export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export function failureReason(result: CommandResult): string {
  if (result.error) return `\`${shellLine(result.argv)}\`: ${result.error.message}`;
  return `\`${shellLine(result.argv)}\` failed (exit ${result.exitCode ?? 'none'}): ${firstLine(result.stderr) || 'no message'}`;
}

const DOCKER_UNUSABLE = 'the docker daemon cannot be used';

async function dockerAnswers(facts: Facts): Promise<Scope | undefined> {
  return (await facts.get(dockerState)).kind === 'ok' ? 'rootful' : undefined;
}

export const dockerNetworks = defineFact<Listing<ContainerNetwork>>('docker:networks', async (facts) => {
  const presence = await facts.get(dockerPresence);
  if (presence.kind !== 'expected') return { ok: false, reason: DOCKER_UNUSABLE };
  return listBesideInfo(
    (argv) => facts.host.run(argv),
    DOCKER_NETWORK_IDS,
    ['docker', 'network', 'inspect'],
    presence.socketOpen !== false,
    dockerAnswers(facts),
    DOCKER_UNUSABLE,
    parseDockerNetworks,
  );
});

export const dockerContainers = defineFact<Listing<Container>>('docker:containers', async (facts) => {
  const presence = await facts.get(dockerPresence);
  if (presence.kind !== 'expected') return { ok: false, reason: DOCKER_UNUSABLE };
  return listBesideInfo(
    (argv) => facts.host.run(argv),
    DOCKER_RUNNING_IDS,
    ['docker', 'container', 'inspect'],
    presence.socketOpen !== false,
    dockerAnswers(facts),
    DOCKER_UNUSABLE,
    parseDockerContainers,
  );
});

/** Containers that exist but do not run: a start that failed leaves them "created", its error in State.Error. */
export const DOCKER_STOPPED_IDS = [
  'docker',
  'ps',
  '--all',
  '--no-trunc',
  '--quiet',
  '--filter',
  'status=created',
  '--filter',
  'status=exited',
];

export interface StoppedDockerContainer {
  name: string;
  state: string;
  /** What the last start failed with, as dockerd recorded it ("" when it did not fail). */
  error: string;
  /** HostConfig.PortBindings: what it asks to publish (NetworkSettings.Ports is empty while it is stopped). */
  portBindings: { hostIp?: string; hostPort: number; containerPort: number; protocol: string }[];
}

export function parseStoppedDockerContainers(stdout: string, command: string): StoppedDockerContainer[] {
  return parseEngineJsonList(stdout, command).map((entry) => {
    const container = asRecord(entry);
    const state = asRecord(container.State);
    return {
      name: (asString(container.Name) ?? '').replace(/^\//, ''),
      state: asString(state.Status) ?? 'unknown',
      error: asString(state.Error) ?? '',
      portBindings: Object.entries(asRecord(asRecord(container.HostConfig).PortBindings)).flatMap(([key, bindings]) => {
        const [port, protocol = 'tcp'] = key.split('/');
        return asArray(bindings).flatMap((binding) => {
          const record = asRecord(binding);
          const hostPort = Number(asString(record.HostPort));
          // An empty HostPort asks dockerd for any free port: nothing to collide with.
          if (!Number.isInteger(hostPort) || hostPort <= 0) return [];
          const hostIp = asString(record.HostIp);
          return [{ ...(hostIp ? { hostIp } : {}), hostPort, containerPort: Number(port), protocol }];
        });
      }),
    };
  });
}

export const dockerStoppedContainers = defineFact<Listing<StoppedDockerContainer>>(
  'docker:stopped-containers',
  async (facts) => {
    const state = await facts.get(dockerState);
    if (state.kind !== 'ok') return { ok: false, reason: 'the docker daemon cannot be used' };
    const inspected = await listAndInspect((argv) => facts.host.run(argv), DOCKER_STOPPED_IDS, [
      'docker',
      'container',
      'inspect',
    ]);
    if (!inspected.ok) return inspected;
    try {
      const items = parseStoppedDockerContainers(inspected.stdout, inspected.command);
      return { ok: true, items, command: inspected.command };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  },
);
