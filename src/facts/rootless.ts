import { defineFact, doesNotApply, unreadable, type NoValue } from '../core/facts.js';
import { podmanState, rootlessUsers, type PodmanInfo } from './podman.js';

export type RootlessPodman = { ok: true; info: PodmanInfo; cli: string } | NoValue;

/**
 * Rootless checks diagnose the podman of the user netdoctor runs as. As root they do not apply: each
 * user's rootless podman has its own namespace, networks and config, seen only when netdoctor runs as them.
 */
export const rootlessPodman = defineFact<RootlessPodman>('podman:rootless', async (facts) => {
  const podman = await facts.get(podmanState);
  if (podman.kind === 'absent') return doesNotApply('podman is not installed');
  if (facts.host.context.uid === 0) {
    const users = await facts.get(rootlessUsers);
    const who = !users.ok
      ? `which users have subordinate ids is unknown: ${users.reason}`
      : users.value.length > 0
        ? `users with subordinate ids: ${users.value.join(', ')}`
        : 'no user has subordinate ids in /etc/subuid';
    return doesNotApply(
      `running as root diagnoses rootful podman; rootless podman is diagnosed by running netdoctor as each user (${who})`,
    );
  }
  if (podman.kind === 'unusable') return unreadable(podman.reason);
  if (!podman.info.rootless) return doesNotApply('podman does not run rootless for this user');
  return { ok: true, info: podman.info, cli: podman.cli };
});
