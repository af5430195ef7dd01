import { NotRecordedError } from '../core/host.js';
import type { EngineSummary } from '../core/types.js';
import { dockerNetworks, dockerState, failureReason, podmanVersionOf } from './docker.js';
import { defineFact, type Facts } from '../core/facts.js';
import type { ContainerNetwork } from './model.js';
import { PODMAN_VERSION, podmanCli, podmanNetworks, podmanScopeFor, podmanState } from './podman.js';
import { appendAll } from '../core/lists.js';

/** An engine whose state a replayed snapshot lacks: it is listed as unusable here, for the reason that says so. */
function unrecordedEngine(engine: EngineSummary['engine'], facts: Facts, error: unknown): EngineSummary {
  if (!(error instanceof NotRecordedError)) throw error;
  const scope = engine === 'podman' && facts.host.context.uid !== 0 ? 'rootless' : 'rootful';
  return { engine, scope, reachable: false, reason: error.message };
}

async function dockerSummary(facts: Facts): Promise<EngineSummary | undefined> {
  const docker = await facts.get(dockerState).catch((error: unknown) => unrecordedEngine('docker', facts, error));
  if ('reachable' in docker) return docker;
  if (docker.kind === 'ok')
    return {
      engine: 'docker',
      scope: docker.info.rootless ? 'rootless' : 'rootful',
      cli: docker.cli,
      version: docker.info.serverVersion,
      reachable: true,
    };
  if (docker.kind === 'absent') return undefined;
  return { engine: 'docker', scope: 'rootful', cli: docker.cli, reachable: false, reason: docker.reason };
}

async function podmanSummary(facts: Facts): Promise<EngineSummary | undefined> {
  const podman = await facts.get(podmanState).catch((error: unknown) => unrecordedEngine('podman', facts, error));
  if ('reachable' in podman) return podman;
  if (podman.kind === 'ok')
    return {
      engine: 'podman',
      scope: podman.scope,
      cli: podman.cli,
      version: podman.info.version,
      reachable: true,
      networkBackend: podman.info.networkBackend,
    };
  if (podman.kind === 'absent') return undefined;
  return {
    engine: 'podman',
    scope: facts.host.context.uid === 0 ? 'rootful' : 'rootless',
    cli: podman.cli,
    reachable: false,
    reason: podman.reason,
  };
}

function present(summaries: (EngineSummary | undefined)[]): EngineSummary[] {
  return summaries.filter((summary) => summary !== undefined);
}

/** The engines of the report's header; the checks diagnose them. */
export const engineSummaries = defineFact<EngineSummary[]>('engines:summary', async (facts) =>
  present(await Promise.all([dockerSummary(facts), podmanSummary(facts)])),
);

/**
 * Podman as `podman --version` names it, for a `why` that ran no host check: 0.03 s where `podman info` takes
 * 0.7 s (most of it `dpkg -S` of every helper). The network backend is not named then, and the scope is the one
 * podman itself derives from the user. A snapshot recorded before `why` read this gives `podman info`'s summary.
 */
async function podmanVersionSummary(facts: Facts): Promise<EngineSummary | undefined> {
  const lookup = await facts.get(podmanCli);
  if (!lookup.found?.executable) return undefined;
  let result;
  try {
    result = await facts.host.run(PODMAN_VERSION);
  } catch (error) {
    if (error instanceof NotRecordedError) return podmanSummary(facts);
    throw error;
  }
  const cli = lookup.found.path;
  const scope = podmanScopeFor(facts.host.context);
  const version = result.exitCode === 0 ? podmanVersionOf(result.stdout) : undefined;
  if (version === undefined) return { engine: 'podman', scope, cli, reachable: false, reason: failureReason(result) };
  return { engine: 'podman', scope, cli, version, reachable: true };
}

/** The header of a `why` whose ends answered: the engines as located, without `podman info`. */
export const engineVersionSummaries = defineFact<EngineSummary[]>('engines:versions', async (facts) =>
  present(await Promise.all([dockerSummary(facts), podmanVersionSummary(facts)])),
);

export interface RootfulBridges {
  networks: ContainerNetwork[];
  /** Engines whose networks could not be listed: the list may be incomplete. */
  unknown: string[];
}

/** Bridge networks whose traffic the host itself routes: docker's and rootful podman's. */
export const rootfulBridgeNetworks = defineFact<RootfulBridges>('engines:rootful-bridges', async (facts) => {
  // Asked for beside the engines' states, the listings run beside `docker info` and `podman info`, not after them.
  const [docker, podman, dockerListing, podmanListing] = await Promise.all([
    facts.get(dockerState),
    facts.get(podmanState),
    facts.get(dockerNetworks),
    facts.get(podmanNetworks),
  ]);
  const result: RootfulBridges = { networks: [], unknown: [] };
  if (docker.kind === 'ok' && !docker.info.rootless) {
    const listing = dockerListing;
    if (listing.ok)
      appendAll(
        result.networks,
        listing.items.filter((network) => network.driver === 'bridge'),
      );
    else result.unknown.push(`docker networks: ${listing.reason}`);
  } else if (docker.kind === 'unreachable' || docker.kind === 'no-access') {
    result.unknown.push(`docker networks: ${docker.reason}`);
  }
  if (podman.kind === 'ok' && podman.scope === 'rootful') {
    const listing = podmanListing;
    if (listing.ok)
      appendAll(
        result.networks,
        listing.items.filter((network) => network.driver === 'bridge'),
      );
    else result.unknown.push(`podman networks: ${listing.reason}`);
  } else if (podman.kind === 'unusable' && facts.host.context.uid === 0) {
    result.unknown.push(`podman networks: ${podman.reason}`);
  }
  return result;
});
