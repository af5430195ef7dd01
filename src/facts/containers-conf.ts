import { parse as parseToml } from 'smol-toml';
import type { HostContext } from '../core/host.js';
import { defineFact } from '../core/facts.js';
import { describeError } from './files.js';
import { asRecord, asString, asStringArray } from './model.js';

export const SYSTEM_CONTAINERS_CONF = '/usr/share/containers/containers.conf';
export const OVERRIDE_CONTAINERS_CONF = '/etc/containers/containers.conf';

export const DEFAULT_HELPER_BINARIES_DIRS = [
  '/usr/local/libexec/podman',
  '/usr/local/lib/podman',
  '/usr/libexec/podman',
  '/usr/lib/podman',
];
export const DEFAULT_CNI_PLUGIN_DIRS = [
  '/usr/local/libexec/cni',
  '/usr/libexec/cni',
  '/usr/local/lib/cni',
  '/usr/lib/cni',
  '/opt/cni/bin',
];

/** The settings netdoctor reads from the containers.conf chain, after merging. */
export interface ContainersConf {
  /** Files read, in the order podman reads them (later wins). */
  files: string[];
  /** Files that exist but could not be read or parsed. */
  problems: string[];
  networkBackend?: string;
  /** netavark's `firewall_driver` (iptables, nftables, firewalld, none); unset: netavark's built-in default. */
  firewallDriver?: string;
  /** What rootless containers get as their default network (`default_rootless_network_cmd`: slirp4netns or pasta). */
  defaultRootlessNetworkCmd?: string;
  helperBinariesDirs: string[];
  cniPluginDirs: string[];
  networkConfigDir?: string;
  defaultCapabilities?: string[];
  defaultSysctls?: string[];
  /** Where each merged setting came from, for evidence. */
  origin: Record<string, string>;
}

/**
 * The files podman reads, in order: CONTAINERS_CONF alone when set; otherwise the system file, the
 * override in /etc and its .d folder, then (rootless) the user's file and its .d folder.
 */
export function containersConfCandidates(context: HostContext): { files: string[]; dirs: string[] } {
  const explicit = context.env.CONTAINERS_CONF;
  if (explicit) return { files: [explicit], dirs: [] };
  const files = [SYSTEM_CONTAINERS_CONF, OVERRIDE_CONTAINERS_CONF];
  const dirs = [`${OVERRIDE_CONTAINERS_CONF}.d`];
  if (context.uid !== 0) {
    const configHome = context.env.XDG_CONFIG_HOME || `${context.home}/.config`;
    files.push(`${configHome}/containers/containers.conf`);
    dirs.push(`${configHome}/containers/containers.conf.d`);
  }
  return { files, dirs };
}

/** Merges parsed containers.conf documents, later ones overriding earlier ones key by key. */
export function mergeContainersConf(
  documents: { path: string; data: Record<string, unknown> }[],
  problems: string[],
): ContainersConf {
  const conf: ContainersConf = {
    files: documents.map((document) => document.path),
    problems,
    helperBinariesDirs: DEFAULT_HELPER_BINARIES_DIRS,
    cniPluginDirs: DEFAULT_CNI_PLUGIN_DIRS,
    origin: {},
  };
  for (const { path, data } of documents) {
    const network = asRecord(data.network);
    const engine = asRecord(data.engine);
    const containers = asRecord(data.containers);
    const backend = asString(network.network_backend);
    if (backend) {
      conf.networkBackend = backend;
      conf.origin.network_backend = path;
    }
    const firewallDriver = asString(network.firewall_driver);
    if (firewallDriver) {
      conf.firewallDriver = firewallDriver;
      conf.origin.firewall_driver = path;
    }
    const rootlessNetworkCmd = asString(network.default_rootless_network_cmd);
    if (rootlessNetworkCmd) {
      conf.defaultRootlessNetworkCmd = rootlessNetworkCmd;
      conf.origin.default_rootless_network_cmd = path;
    }
    if (Array.isArray(network.cni_plugin_dirs)) {
      conf.cniPluginDirs = asStringArray(network.cni_plugin_dirs);
      conf.origin.cni_plugin_dirs = path;
    }
    const configDir = asString(network.network_config_dir);
    if (configDir) {
      conf.networkConfigDir = configDir;
      conf.origin.network_config_dir = path;
    }
    if (Array.isArray(engine.helper_binaries_dir)) {
      conf.helperBinariesDirs = asStringArray(engine.helper_binaries_dir);
      conf.origin.helper_binaries_dir = path;
    }
    if (Array.isArray(containers.default_capabilities)) {
      conf.defaultCapabilities = asStringArray(containers.default_capabilities);
      conf.origin.default_capabilities = path;
    }
    if (Array.isArray(containers.default_sysctls)) {
      conf.defaultSysctls = asStringArray(containers.default_sysctls);
      conf.origin.default_sysctls = path;
    }
  }
  return conf;
}

export interface ContainersConfDocuments {
  /** The files that exist and parse, in the order podman reads them, with their TOML. */
  documents: { path: string; data: Record<string, unknown> }[];
  problems: string[];
}

/** The containers.conf chain read and parsed once, for every setting any fact takes from it. */
export const containersConfDocuments = defineFact<ContainersConfDocuments>(
  'podman:containers-conf-documents',
  async ({ host }) => {
    const candidates = containersConfCandidates(host.context);
    const listings = await Promise.all(candidates.dirs.map((dir) => host.readDir(dir)));
    const problems: string[] = [];
    // A drop-in folder that does not exist has no settings; one that cannot be listed may have some.
    for (const listing of listings)
      if (!listing.ok && listing.error.code !== 'ENOENT') problems.push(describeError(listing.path, listing.error));
    const dropIns = listings.flatMap((listing) =>
      listing.ok
        ? listing.entries.filter((entry) => entry.endsWith('.conf')).map((entry) => `${listing.path}/${entry}`)
        : [],
    );
    // Drop-in folders come right after the file they extend.
    const ordered = [
      ...candidates.files.slice(0, 2),
      ...dropIns.filter((path) => path.startsWith('/etc/')),
      ...candidates.files.slice(2),
      ...dropIns.filter((path) => !path.startsWith('/etc/')),
    ];
    const reads = await Promise.all(ordered.map((path) => host.readFile(path)));
    const documents: { path: string; data: Record<string, unknown> }[] = [];
    for (const read of reads) {
      if (!read.ok) {
        if (read.error.code !== 'ENOENT') problems.push(describeError(read.path, read.error));
        continue;
      }
      try {
        documents.push({ path: read.path, data: parseToml(read.content) as Record<string, unknown> });
      } catch (error) {
        problems.push(`${read.path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return { documents, problems };
  },
);

export const containersConf = defineFact<ContainersConf>('podman:containers-conf', async (facts) => {
  const { documents, problems } = await facts.get(containersConfDocuments);
  return mergeContainersConf(documents, problems);
});
