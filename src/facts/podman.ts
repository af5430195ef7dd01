import { shellLine } from '../core/shell.js';
import type { Evidence } from '../core/types.js';
import {
  commandEvidence,
  failureReason,
  formatSeconds,
  listBesideInfo,
  timedOutAfterMs,
  type Listing,
} from './docker.js';
import { defineFact, type Facts } from '../core/facts.js';
import { describeError, findExecutable, systemSearchPath, type ExecutableLookup, type Readable } from './files.js';
import {
  EngineOutputError,
  asArray,
  asRecord,
  asString,
  asStringRecord,
  containerFromInspect,
  parseEngineJson,
  parseEngineJsonList,
  type Container,
  type ContainerNetwork,
} from './model.js';
import type { Scope } from '../core/types.js';
import type { HostContext } from '../core/host.js';

export const PODMAN_INFO = ['podman', 'info', '--format', 'json'];
export const PODMAN_VERSION = ['podman', '--version'];
export const PODMAN_NETWORKS = ['podman', 'network', 'ls', '--format', 'json'];
export const PODMAN_RUNNING_IDS = ['podman', 'ps', '--no-trunc', '--quiet'];

export interface PodmanInfo {
  version: string;
  rootless: boolean;
  /** netavark or cni; podman before 4.0 reports nothing and only has CNI. */
  networkBackend: string;
  /** Empty when podman found no slirp4netns. */
  slirp4netnsExecutable: string;
  /** The default network of rootless containers (pasta or slirp4netns); empty when podman does not say (before 5). */
  rootlessNetworkCmd: string;
  /** Empty when podman found no pasta (or does not report it). */
  pastaExecutable: string;
  /** `host.networkBackendInfo.version` (`netavark 1.14.0`, podman 5); undefined when podman does not say. */
  networkBackendVersion?: string;
  graphRoot: string;
  /**
   * host.networkBackendInfo: the netavark binary and, under `dns`, the aardvark-dns binary podman found. Absent
   * when podman does not report it (4.3 does not); podman 5 with no aardvark-dns reports a dns entry without version.
   */
  networkBackendInfo?: NetworkBackendInfo;
}

/** A helper binary as `podman info` describes it: its own `--version` line, its path, the package owning the path. */
export interface HelperBinaryInfo {
  version: string;
  path: string;
  package: string;
}

export interface NetworkBackendInfo {
  backend: HelperBinaryInfo;
  dns?: HelperBinaryInfo;
}

function helperBinaryInfo(value: unknown): HelperBinaryInfo {
  const record = asRecord(value);
  return {
    version: asString(record.version) ?? '',
    path: asString(record.path) ?? '',
    package: asString(record.package) ?? '',
  };
}

function parseNetworkBackendInfo(value: unknown): NetworkBackendInfo | undefined {
  if (value === undefined || value === null) return undefined;
  const record = asRecord(value);
  const info: NetworkBackendInfo = { backend: helperBinaryInfo(record) };
  if (record.dns !== undefined && record.dns !== null) info.dns = helperBinaryInfo(record.dns);
  return info;
}

export type PodmanState =
  | { kind: 'absent'; lookup: ExecutableLookup }
  /** `timedOut`: podman did not answer within the command time limit (it hangs), which is not a failure to start. */
  | { kind: 'unusable'; cli: string; reason: string; evidence: Evidence[]; timedOut?: { afterMs: number } }
  | { kind: 'ok'; cli: string; info: PodmanInfo; scope: Scope; evidence: Evidence[] };

export function parsePodmanInfo(stdout: string): PodmanInfo {
  const info = asRecord(parseEngineJson(stdout, shellLine(PODMAN_INFO)));
  const hostInfo = asRecord(info.host);
  const version = asString(asRecord(info.version).Version);
  if (version === undefined) throw new EngineOutputError('`podman info` printed no version');
  const result: PodmanInfo = {
    version,
    rootless: asRecord(hostInfo.security).rootless === true,
    networkBackend: asString(hostInfo.networkBackend) ?? 'cni',
    slirp4netnsExecutable: asString(asRecord(hostInfo.slirp4netns).executable) ?? '',
    rootlessNetworkCmd: asString(hostInfo.rootlessNetworkCmd) ?? '',
    pastaExecutable: asString(asRecord(hostInfo.pasta).executable) ?? '',
    graphRoot: asString(asRecord(info.store).graphRoot) ?? '',
  };
  const backendVersion = asString(asRecord(hostInfo.networkBackendInfo).version);
  if (backendVersion) result.networkBackendVersion = backendVersion;
  const networkBackendInfo = parseNetworkBackendInfo(hostInfo.networkBackendInfo);
  if (networkBackendInfo !== undefined) result.networkBackendInfo = networkBackendInfo;
  return result;
}

/** Where podman is, by a few stats: its commands can start as soon as this is known. */
export const podmanCli = defineFact<ExecutableLookup>('podman:cli', ({ host }) =>
  findExecutable(host, 'podman', systemSearchPath(host.context)),
);

export const podmanState = defineFact<PodmanState>('podman:state', async (facts) => {
  // `podman info` is the longest command of a diagnosis: it starts beside the lookup, not after its stats. When
  // podman is absent its failure is not read (and a snapshot of a host without podman did not record it).
  const early = facts.host.run(PODMAN_INFO);
  early.catch(() => undefined);
  const lookup = await facts.get(podmanCli);
  if (!lookup.found?.executable) return { kind: 'absent', lookup };
  const cli = lookup.found.path;
  const result = await early;
  const evidence = [commandEvidence(result, result.exitCode === 0 ? 'exit 0' : undefined)];
  if (result.timedOut) {
    const afterMs = timedOutAfterMs(result);
    return {
      kind: 'unusable',
      cli,
      reason: `\`${shellLine(PODMAN_INFO)}\` did not answer within ${formatSeconds(afterMs)}: podman hangs`,
      evidence,
      timedOut: { afterMs },
    };
  }
  if (result.exitCode !== 0) return { kind: 'unusable', cli, reason: failureReason(result), evidence };
  try {
    const info = parsePodmanInfo(result.stdout);
    const excerpt = `version ${info.version}, rootless: ${info.rootless}, networkBackend: ${info.networkBackend}`;
    return {
      kind: 'ok',
      cli,
      info,
      scope: info.rootless ? 'rootless' : 'rootful',
      evidence: [commandEvidence(result, excerpt)],
    };
  } catch (error) {
    return { kind: 'unusable', cli, reason: (error as Error).message, evidence };
  }
});

/** Podman's network JSON is the same for netavark and CNI (podman converts conflists). */
export function parsePodmanNetworks(stdout: string, command: string, scope: Scope): ContainerNetwork[] {
  return parseEngineJsonList(stdout, command).map((entry) => {
    const network = asRecord(entry);
    const name = asString(network.name) ?? '';
    const result: ContainerNetwork = {
      engine: 'podman',
      scope,
      name,
      id: asString(network.id) ?? '',
      driver: asString(network.driver) ?? '',
      subnets: asArray(network.subnets).map((subnet) => {
        const record = asRecord(subnet);
        const gateway = asString(record.gateway);
        return gateway ? { subnet: asString(record.subnet) ?? '', gateway } : { subnet: asString(record.subnet) ?? '' };
      }),
      dnsEnabled: network.dns_enabled === true,
      internal: network.internal === true,
      isDefault: name === 'podman',
      options: asStringRecord(network.options),
    };
    const bridge = asString(network.network_interface);
    if (bridge) result.bridge = bridge;
    return result;
  });
}

export function parsePodmanContainers(stdout: string, command: string, scope: Scope): Container[] {
  return parseEngineJsonList(stdout, command).map((entry) => {
    const container = asRecord(entry);
    return containerFromInspect(container, {
      engine: 'podman',
      scope,
      name: asString(container.Name) ?? '',
      image: asString(container.ImageName) ?? asString(asRecord(container.Config).Image) ?? '',
    });
  });
}

const PODMAN_UNUSABLE = 'podman cannot be used';

/**
 * The scope of the podman this run asks, decided as podman's own IsRootless does: an effective uid other than 0, or
 * a run inside `podman unshare` (which sets _CONTAINERS_USERNS_CONFIGURED), is rootless; it agrees with `podman
 * info`'s host.security.rootless in every recorded snapshot. Lets a command that answered be read without waiting
 * for `podman info` (0.7 s of CPU, most of it `dpkg -S` of its helpers).
 */
export function podmanScopeFor(context: HostContext): Scope {
  const inRootlessUserNamespace = (context.env._CONTAINERS_USERNS_CONFIGURED ?? '') !== '';
  return context.uid === 0 && !inRootlessUserNamespace ? 'rootful' : 'rootless';
}

async function podmanAnswers(facts: Facts): Promise<Scope | undefined> {
  const state = await facts.get(podmanState);
  return state.kind === 'ok' ? state.scope : undefined;
}

/**
 * A podman listing, run once the podman binary is found. A listing podman gave needs no `podman info` to be read;
 * a failed one is explained by it: podman cannot be used, or the listing itself failed.
 */
export async function podmanListing(
  facts: Facts,
  argv: readonly string[],
): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  if (!(await facts.get(podmanCli)).found?.executable) return { ok: false, reason: PODMAN_UNUSABLE };
  const result = await facts.host.run(argv);
  if (result.exitCode === 0) return { ok: true, stdout: result.stdout };
  const scope = await podmanAnswers(facts);
  return { ok: false, reason: scope === undefined ? PODMAN_UNUSABLE : failureReason(result) };
}

export const podmanNetworks = defineFact<Listing<ContainerNetwork>>('podman:networks', async (facts) => {
  const listing = await podmanListing(facts, PODMAN_NETWORKS);
  if (!listing.ok) return listing;
  try {
    const command = shellLine(PODMAN_NETWORKS);
    return {
      ok: true,
      items: parsePodmanNetworks(listing.stdout, command, podmanScopeFor(facts.host.context)),
      command,
    };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
});

export const podmanContainers = defineFact<Listing<Container>>('podman:containers', async (facts) => {
  if (!(await facts.get(podmanCli)).found?.executable) return { ok: false, reason: PODMAN_UNUSABLE };
  return listBesideInfo(
    (argv) => facts.host.run(argv),
    PODMAN_RUNNING_IDS,
    ['podman', 'container', 'inspect'],
    true,
    podmanAnswers(facts),
    PODMAN_UNUSABLE,
    parsePodmanContainers,
  );
});

/** Users with subordinate ids: the ones who can run rootless podman; none when /etc/subuid does not exist. */
export const rootlessUsers = defineFact<Readable<string[]>>('podman:rootless-users', async ({ host }) => {
  const file = await host.readFile('/etc/subuid');
  if (file.ok) return { ok: true, value: parseSubordinateIds(file.content) };
  if (file.error.code === 'ENOENT') return { ok: true, value: [] };
  return { ok: false, code: file.error.code, reason: describeError(file.path, file.error) };
});

export function parseSubordinateIds(content: string): string[] {
  const users = content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':')[0] ?? '')
    .filter((user) => user !== '');
  return [...new Set(users)];
}
