import type { Facts, FactDefinition } from '../core/facts.js';
import { dockerContainers, dockerNetworks, dockerState } from '../facts/docker.js';
import { defaultRoute, firewallRulesets } from '../facts/firewall.js';
import { hostLinks, hostRoutes } from '../facts/ip.js';
import { iptablesFlavour, kernelModules } from '../facts/kernel.js';
import { podmanContainers, podmanNetworks, podmanState } from '../facts/podman.js';

/**
 * What the host checks of `why` read whatever the pair, started with them: the engines and their containers, the
 * rulesets (the path's firewall) and the default route. The host's other routes and links, the kernel's modules
 * and the iptables binary concern only some ways (to a namespace, the host or an address) or checks off the path:
 * read when asked, not for every pair.
 */
export const PAIR_FOUNDATION: readonly FactDefinition<unknown>[] = [
  podmanState,
  dockerState,
  podmanNetworks,
  podmanContainers,
  dockerNetworks,
  dockerContainers,
  firewallRulesets,
  defaultRoute,
];

/**
 * The facts nearly every check of a whole diagnosis builds on. Asked for together when the run starts, their
 * commands run side by side; otherwise each starts only when its first reader asks, and readers ask after what
 * they awaited first, often `podman info` (0.2 to 0.7 s, seconds on a loaded host). A run limited to some checks
 * (--only) reads only what they ask for.
 */
export const FOUNDATION: readonly FactDefinition<unknown>[] = [
  ...PAIR_FOUNDATION,
  hostRoutes,
  hostLinks,
  iptablesFlavour,
  kernelModules,
];

/** Asks for these facts now, so that their commands run side by side before their readers ask. */
export function startFacts(facts: Facts, definitions: readonly FactDefinition<unknown>[]): void {
  // A fact that fails rejects for the check that awaits it too: here it only must not go unhandled.
  for (const fact of definitions) facts.get(fact).catch(() => undefined);
}
