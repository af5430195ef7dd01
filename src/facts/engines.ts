import { NotRecordedError } from '../core/host.js';
import type { EngineSummary } from '../core/types.js';
import { dockerNetworks, dockerState } from './docker.js';
import { defineFact, type Facts } from '../core/facts.js';
import type { ContainerNetwork } from './model.js';
import { podmanNetworks, podmanState } from './podman.js';
import { appendAll } from '../core/lists.js';

/** An engine whose state a replayed snapshot lacks: it is listed as unusable here, for the reason that says so. */
function unrecordedEngine(engine: EngineSummary['engine'], facts: Facts, error: unknown): EngineSummary {
  if (!(error instanceof NotRecordedError)) throw error;
  const scope = engine === 'podman' && facts.host.context.uid !== 0 ? 'rootless' : 'rootful';
  return { engine, scope, reachable: false, reason: error.message };
}

/** The engines of the report's header; the checks diagnose them. */
export const engineSummaries = defineFact<EngineSummary[]>('engines:summary', async (facts) => {
  const [docker, podman] = await Promise.all([
    facts.get(dockerState).catch((error: unknown) => unrecordedEngine('docker', facts, error)),
    facts.get(podmanState).catch((error: unknown) => unrecordedEngine('podman', facts, error)),
  ]);
  const engines: EngineSummary[] = [];
  if ('reachable' in docker) engines.push(docker);
  else if (docker.kind === 'ok') {
    engines.push({
      engine: 'docker',
      scope: docker.info.rootless ? 'rootless' : 'rootful',
      cli: docker.cli,
      version: docker.info.serverVersion,
      reachable: true,
    });
  } else if (docker.kind !== 'absent') {
    engines.push({ engine: 'docker', scope: 'rootful', cli: docker.cli, reachable: false, reason: docker.reason });
  }
  if ('reachable' in podman) engines.push(podman);
  else if (podman.kind === 'ok') {
    engines.push({
      engine: 'podman',
      scope: podman.scope,
      cli: podman.cli,
      version: podman.info.version,
      reachable: true,
      networkBackend: podman.info.networkBackend,
    });
  } else if (podman.kind === 'unusable') {
    engines.push({
      engine: 'podman',
      scope: facts.host.context.uid === 0 ? 'rootful' : 'rootless',
      cli: podman.cli,
      reachable: false,
      reason: podman.reason,
    });
  }
  return engines;
});

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
