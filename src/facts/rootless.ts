import type { CheckOutcome } from '../core/check.js';
import { cannotDecide, notApplicable } from '../core/outcome.js';
import { defineFact } from '../core/facts.js';
import { podmanState, rootlessUsers, type PodmanInfo } from './podman.js';

export type RootlessPodman = { ok: true; info: PodmanInfo; cli: string } | { ok: false; outcome: CheckOutcome };

/**
 * Rootless checks diagnose the podman of the user netdoctor runs as. As root they do not apply: each
 * user's rootless podman has its own namespace, networks and config, seen only when netdoctor runs as them.
 */
export const rootlessPodman = defineFact<RootlessPodman>('podman:rootless', async (facts) => {
  const podman = await facts.get(podmanState);
  if (podman.kind === 'absent') return { ok: false, outcome: notApplicable('podman is not installed') };
  if (facts.host.context.uid === 0) {
    const users = await facts.get(rootlessUsers);
    const who = users.length > 0 ? `users with subordinate ids: ${users.join(', ')}` : 'no user has subordinate ids in /etc/subuid';
    return { ok: false, outcome: notApplicable(`running as root diagnoses rootful podman; rootless podman is diagnosed by running netdoctor as each user (${who})`) };
  }
  if (podman.kind === 'unusable') return { ok: false, outcome: cannotDecide(podman.reason) };
  if (!podman.info.rootless) return { ok: false, outcome: notApplicable('podman does not run rootless for this user') };
  return { ok: true, info: podman.info, cli: podman.cli };
});
