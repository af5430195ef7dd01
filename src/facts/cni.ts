import type { HostContext } from '../core/host.js';
import { containersConf } from './containers-conf.js';
import { defineFact, doesNotApply, unreadable, type NoValue } from '../core/facts.js';
import { describeError } from './files.js';
import type { Scope } from '../core/types.js';
import { asArray, asRecord, asString } from './model.js';
import { podmanState } from './podman.js';

export interface CniConflist {
  path: string;
  name: string;
  pluginTypes: string[];
  bridge?: string;
}

export interface CniConfig {
  dir: string;
  /** Why the folder could not be listed; undefined when it was. */
  problem?: string;
  conflists: CniConflist[];
  /** Conflist files that could not be read or are not valid JSON. */
  invalid: string[];
}

/** Where dnsname keeps each network's dnsmasq.conf, addnhosts and pidfile. */
export function dnsnameDir(context: HostContext, network: string): string {
  const base =
    context.uid === 0
      ? '/run/containers/cni/dnsname'
      : `${context.env.XDG_RUNTIME_DIR || `/run/user/${context.uid}`}/containers/cni/dnsname`;
  return `${base}/${network}`;
}

export function defaultCniConfigDir(context: HostContext): string {
  if (context.uid === 0) return '/etc/cni/net.d';
  const configHome = context.env.XDG_CONFIG_HOME || `${context.home}/.config`;
  return `${configHome}/cni/net.d`;
}

export function parseConflist(path: string, text: string): CniConflist {
  const data = asRecord(JSON.parse(text));
  const plugins = asArray(data.plugins).map(asRecord);
  const bridge = plugins.map((plugin) => asString(plugin.bridge)).find((name) => name !== undefined);
  const conflist: CniConflist = {
    path,
    name: asString(data.name) ?? '',
    pluginTypes: plugins.map((plugin) => asString(plugin.type) ?? ''),
  };
  if (bridge !== undefined) conflist.bridge = bridge;
  return conflist;
}

export const cniConfig = defineFact<CniConfig>('cni:config', async (facts) => {
  const conf = await facts.get(containersConf);
  const dir = conf.networkConfigDir ?? defaultCniConfigDir(facts.host.context);
  const listing = await facts.host.readDir(dir);
  if (!listing.ok) {
    return {
      dir,
      conflists: [],
      invalid: [],
      problem: listing.error.code === 'ENOENT' ? undefined : describeError(dir, listing.error),
    };
  }
  const paths = listing.entries.filter((entry) => entry.endsWith('.conflist')).map((entry) => `${dir}/${entry}`);
  const reads = await Promise.all(paths.map((path) => facts.host.readFile(path)));
  const config: CniConfig = { dir, conflists: [], invalid: [] };
  for (const read of reads) {
    if (!read.ok) {
      config.invalid.push(describeError(read.path, read.error));
      continue;
    }
    try {
      config.conflists.push(parseConflist(read.path, read.content));
    } catch (error) {
      config.invalid.push(`${read.path}: ${(error as Error).message}`);
    }
  }
  return config;
});

export type CniPodman = { ok: true; scope: Scope; cni: CniConfig } | NoValue;

/** The CNI networks of a podman that uses the CNI backend, or why CNI checks do not apply. */
export const cniPodman = defineFact<CniPodman>('cni:podman', async (facts) => {
  const podman = await facts.get(podmanState);
  if (podman.kind === 'absent') return doesNotApply('podman is not installed');
  if (podman.kind === 'unusable') return unreadable(podman.reason);
  if (podman.info.networkBackend !== 'cni')
    return doesNotApply(`podman uses the ${podman.info.networkBackend} backend`);
  const cni = await facts.get(cniConfig);
  if (cni.problem !== undefined) return unreadable(cni.problem);
  return { ok: true, scope: podman.scope, cni };
});

export type DnsnamePodman = { ok: true; scope: Scope; cni: CniConfig; networks: CniConflist[] } | NoValue;

/**
 * The CNI networks that use the dnsname plugin (the networks that need dnsmasq), or why the dnsmasq checks do not
 * apply.
 */
export const dnsnamePodman = defineFact<DnsnamePodman>('cni:dnsname-networks', async (facts) => {
  const podman = await facts.get(cniPodman);
  if (!podman.ok) return podman;
  const networks = podman.cni.conflists.filter((conflist) => conflist.pluginTypes.includes('dnsname'));
  if (networks.length === 0) return doesNotApply(`no CNI network in ${podman.cni.dir} uses the dnsname plugin`);
  return { ...podman, networks };
});
