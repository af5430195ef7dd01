import { shellLine } from '../core/shell.js';
import type { Listing } from './docker.js';
import { defineFact } from '../core/facts.js';
import { asArray, asRecord, asString, asStringArray, parseEngineJsonList } from './model.js';
import { podmanListing } from './podman.js';

export const PODMAN_ALL_CONTAINERS = ['podman', 'ps', '--all', '--format', 'json'];

export interface PortRequest {
  container: string;
  state: string;
  hostIp?: string;
  /** The first host port of the request (a range starts there). */
  hostPort: number;
  /** How many consecutive ports the request takes, from hostPort on (1 for a single port). */
  range: number;
  containerPort: number;
  protocol: string;
}

/** A container as `podman ps --all` lists it, running or not. */
export interface ListedContainer {
  name: string;
  state: string;
  /** The networks it is configured for (a container that never started is attached to none yet). */
  networks: string[];
  ports: PortRequest[];
}

/**
 * Every container with the host ports and networks it asks for, running or not: a container whose port or DNS
 * could not be set up never starts, so only its configuration shows what it wanted.
 */
export function parsePodmanPsAll(stdout: string): ListedContainer[] {
  return parseEngineJsonList(stdout, shellLine(PODMAN_ALL_CONTAINERS)).map((entry) => {
    const container = asRecord(entry);
    const name = asStringArray(container.Names)[0] ?? asString(container.Id) ?? '';
    const state = asString(container.State) ?? 'unknown';
    return {
      name,
      state,
      networks: asStringArray(container.Networks),
      ports: asArray(container.Ports).map((port) => {
        const record = asRecord(port);
        const request: PortRequest = {
          container: name,
          state,
          hostPort: typeof record.host_port === 'number' ? record.host_port : 0,
          range: typeof record.range === 'number' && record.range > 0 ? record.range : 1,
          containerPort: typeof record.container_port === 'number' ? record.container_port : 0,
          protocol: asString(record.protocol) ?? 'tcp',
        };
        const hostIp = asString(record.host_ip);
        if (hostIp) request.hostIp = hostIp;
        return request;
      }),
    };
  });
}

export const podmanAllContainers = defineFact<Listing<ListedContainer>>('podman:all-containers', async (facts) => {
  const listing = await podmanListing(facts, PODMAN_ALL_CONTAINERS);
  if (!listing.ok) return listing;
  try {
    return { ok: true, items: parsePodmanPsAll(listing.stdout), command: shellLine(PODMAN_ALL_CONTAINERS) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
});

export const podmanPortRequests = defineFact<Listing<PortRequest>>('podman:port-requests', async (facts) => {
  const listing = await facts.get(podmanAllContainers);
  if (!listing.ok) return listing;
  return { ok: true, items: listing.items.flatMap((container) => container.ports), command: listing.command };
});
