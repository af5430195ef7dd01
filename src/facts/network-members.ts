import { dockerContainers } from './docker.js';
import type { Facts } from '../core/facts.js';
import { runningOn, type ContainerNetwork } from './model.js';
import { podmanContainers } from './podman.js';

/** Names of the running containers on a network; empty when the engine's containers cannot be listed. */
export async function runningMembers(facts: Facts, network: ContainerNetwork): Promise<string[]> {
  const listing = await facts.get(network.engine === 'docker' ? dockerContainers : podmanContainers);
  if (!listing.ok) return [];
  return runningOn(listing.items, [network.name]).map((container) => container.name);
}
