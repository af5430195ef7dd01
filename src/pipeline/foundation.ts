import type { Facts, FactDefinition } from '../core/facts.js';
import { dockerContainers, dockerNetworks, dockerState, dockerStoppedContainers } from '../facts/docker.js';
import { engineVersionSummaries } from '../facts/engines.js';
import { defaultRoute, firewallRulesets } from '../facts/firewall.js';
import { hostLinks, hostRoutes } from '../facts/ip.js';
import { iptablesFlavour, kernelModules } from '../facts/kernel.js';
import { podmanContainers, podmanNetworks, podmanState } from '../facts/podman.js';
import { podmanAllContainers } from '../facts/podman-ports.js';

/**
 * What `why` reads after the probes for two containers whatever they are, asked for when it starts so that it
 * runs while they are inspected: the rulesets (the path's firewall) and the engines' versions for the header.
 * Neither `podman info` nor the host's routes: a pair that answers needs neither. The network listings wait for
 * the inspects, which tell whose networks matter: started at once too they cost more CPU than they save (2 cores).
 */
export const PAIR_FOUNDATION: readonly FactDefinition<unknown>[] = [firewallRulesets, engineVersionSummaries];

/**
 * What the host checks of `why` read whatever the pair, started with them: the engines and their containers, the
 * rulesets (the path's firewall) and the default route. The host's other routes and links, the kernel's modules
 * and the iptables binary concern only some ways (to a namespace, the host or an address) or checks off the path:
 * read when asked, not for every pair.
 */
export const PATH_CHECK_FOUNDATION: readonly FactDefinition<unknown>[] = [
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
 * The facts nearly every check of a whole diagnosis builds on, and the listings that take in containers that do not
 * run (`podman ps --all`, docker's created and exited ones), which their readers (the port and DNS checks) ask for
 * only after `podman info`. Asked for together when the run starts, their commands run side by side, beside
 * `podman info` (0.2 to 0.7 s, seconds on a loaded host); otherwise each starts only when its first reader asks,
 * often after that. A run limited to some checks (--only) reads only what they ask for.
 */
export const FOUNDATION: readonly FactDefinition<unknown>[] = [
  ...PATH_CHECK_FOUNDATION,
  hostRoutes,
  hostLinks,
  iptablesFlavour,
  kernelModules,
  podmanAllContainers,
  dockerStoppedContainers,
];

/** Asks for these facts now, so that their commands run side by side before their readers ask. */
export function startFacts(facts: Facts, definitions: readonly FactDefinition<unknown>[]): void {
  // A fact that fails rejects for the check that awaits it too: here it only must not go unhandled.
  for (const fact of definitions) facts.get(fact).catch(() => undefined);
}

/** What a run asks for at its start: a whole diagnosis, or `why` (see each list). */
export const WARM_UP = { diagnosis: FOUNDATION, pair: PAIR_FOUNDATION } as const;
