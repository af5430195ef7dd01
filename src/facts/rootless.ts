import { defineFact, doesNotApply, unreadable, type NoValue } from '../core/facts.js';
import type { ContainersConf } from './containers-conf.js';
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

/** The program that gives rootless containers their network, and where that choice comes from. */
export interface RootlessNetworkCmd {
  command: string;
  /** Why it is that one, in words (podman's report, the containers.conf setting, or the version's default). */
  from: string;
}

/**
 * What this podman runs for a rootless container without its own --network: podman 5 says it in
 * `host.rootlessNetworkCmd`; before that `default_rootless_network_cmd` of containers.conf chooses (podman
 * 4.4 and later), and slirp4netns is the default until podman 5, pasta from then on.
 */
export function rootlessNetworkCmdOf(info: PodmanInfo, conf: ContainersConf): RootlessNetworkCmd {
  if (info.rootlessNetworkCmd !== '')
    return { command: info.rootlessNetworkCmd, from: 'podman info: host.rootlessNetworkCmd' };
  const origin = conf.origin.default_rootless_network_cmd;
  if (conf.defaultRootlessNetworkCmd !== undefined && origin !== undefined)
    return { command: conf.defaultRootlessNetworkCmd, from: `default_rootless_network_cmd in ${origin}` };
  const major = Number.parseInt(info.version, 10);
  return major >= 5
    ? { command: 'pasta', from: `the default of podman ${info.version}` }
    : { command: 'slirp4netns', from: `the default of podman ${info.version}` };
}
