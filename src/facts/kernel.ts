import { shellLine } from '../core/shell.js';
import { defineFact } from '../core/facts.js';
import { describeError, findExecutable, systemSearchPath } from './files.js';
import { osInfo } from './os.js';

/** A kernel feature the engines need, the config option that builds it and the module it becomes when modular. */
export interface KernelFeature {
  option: string;
  module: string;
  /** What breaks without it, in a few words. */
  purpose: string;
}

/**
 * Needed whichever iptables flavour programs the rules (moby's check-config "generally necessary", plus what netavark
 * and CNI match on).
 */
export const COMMON_FEATURES: readonly KernelFeature[] = [
  { option: 'CONFIG_VETH', module: 'veth', purpose: 'container network interfaces' },
  { option: 'CONFIG_BRIDGE', module: 'bridge', purpose: 'bridge networks' },
  { option: 'CONFIG_BRIDGE_NETFILTER', module: 'br_netfilter', purpose: 'firewall rules for traffic inside a bridge' },
  { option: 'CONFIG_NF_CONNTRACK', module: 'nf_conntrack', purpose: 'connection tracking' },
  { option: 'CONFIG_NF_NAT', module: 'nf_nat', purpose: 'NAT' },
  { option: 'CONFIG_NETFILTER_XT_MATCH_CONNTRACK', module: 'xt_conntrack', purpose: 'the "-m conntrack" match' },
  {
    option: 'CONFIG_NETFILTER_XT_MATCH_ADDRTYPE',
    module: 'xt_addrtype',
    purpose: 'the "-m addrtype" match of published ports',
  },
  { option: 'CONFIG_NETFILTER_XT_MATCH_COMMENT', module: 'xt_comment', purpose: 'the "-m comment" match' },
  { option: 'CONFIG_NETFILTER_XT_NAT', module: 'xt_nat', purpose: 'DNAT of published ports' },
  {
    option: 'CONFIG_NETFILTER_XT_TARGET_MASQUERADE',
    module: 'xt_MASQUERADE',
    purpose: 'masquerading of container traffic',
  },
];

/** iptables-legacy programs x_tables directly. */
export const LEGACY_FEATURES: readonly KernelFeature[] = [
  { option: 'CONFIG_IP_NF_IPTABLES', module: 'ip_tables', purpose: 'iptables (legacy)' },
  { option: 'CONFIG_IP_NF_FILTER', module: 'iptable_filter', purpose: 'the iptables filter table (legacy)' },
  { option: 'CONFIG_IP_NF_NAT', module: 'iptable_nat', purpose: 'the iptables nat table (legacy)' },
];

/**
 * What an unprivileged user's iptables cannot get loaded: iptables-legacy runs modprobe itself when the kernel
 * lacks the ip_tables (ip6_tables) socket options, and modprobe needs root. The kernel loads everything else on
 * request, for a user namespace too: iptables-legacy's tables, matches and targets once these two are in, and
 * everything iptables-nft asks for through nfnetlink. Seen on Debian 12's 6.1 kernel in the lab guest
 * (test/lab/scenarios/rootless-modules-not-preloaded.ts).
 */
export const LOADED_BY_USERSPACE_LEGACY: readonly KernelFeature[] = [
  { option: 'CONFIG_IP_NF_IPTABLES', module: 'ip_tables', purpose: 'iptables (legacy)' },
  { option: 'CONFIG_IP6_NF_IPTABLES', module: 'ip6_tables', purpose: 'ip6tables (legacy)' },
];

/** iptables-nft programs nftables, running the xt matches and targets through nft_compat. */
export const NFT_FEATURES: readonly KernelFeature[] = [
  { option: 'CONFIG_NF_TABLES', module: 'nf_tables', purpose: 'nftables, which iptables-nft programs' },
  { option: 'CONFIG_NFT_COMPAT', module: 'nft_compat', purpose: 'xt matches and targets under iptables-nft' },
  { option: 'CONFIG_NFT_NAT', module: 'nft_chain_nat', purpose: 'nat chains under iptables-nft' },
];

export type IptablesFlavour = 'nft' | 'legacy' | 'unknown';

/**
 * The flavour of the binary `iptables` resolves to: xtables-nft-multi or iptables-nft, xtables-legacy-multi or
 * iptables-legacy.
 */
export function flavourOfBinary(path: string): IptablesFlavour {
  const name = path.split('/').at(-1) ?? '';
  if (name === 'xtables-nft-multi' || name === 'iptables-nft') return 'nft';
  if (name === 'xtables-legacy-multi' || name === 'iptables-legacy') return 'legacy';
  return 'unknown';
}

export function featuresFor(flavour: IptablesFlavour): KernelFeature[][] {
  if (flavour === 'nft') return [[...COMMON_FEATURES, ...NFT_FEATURES]];
  if (flavour === 'legacy') return [[...COMMON_FEATURES, ...LEGACY_FEATURES]];
  return [
    [...COMMON_FEATURES, ...NFT_FEATURES],
    [...COMMON_FEATURES, ...LEGACY_FEATURES],
  ];
}

/** y, m, or undefined: "# CONFIG_X is not set" and an option missing from the file both mean not built. */
export function parseKernelConfig(content: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const line of content.split('\n')) {
    const match = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) options.set(match[1], match[2].replace(/^"|"$/g, ''));
  }
  return options;
}

/** Module names from /proc/modules (first column). */
export function parseProcModules(content: string): Set<string> {
  return new Set(
    content
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name !== ''),
  );
}

/** Module names that modules.dep can load: "kernel/net/bridge/br_netfilter.ko.xz: ..." gives br_netfilter. */
export function parseModulesDep(content: string): Set<string> {
  const names = new Set<string>();
  for (const line of content.split('\n')) {
    const path = line.split(':')[0] ?? '';
    const match = /([^/]+)\.ko(?:\.[a-z0-9]+)?$/.exec(path);
    if (match?.[1]) names.add(match[1].replace(/-/g, '_'));
  }
  return names;
}

export interface KernelConfigRead {
  release: string;
  /** Where the config was read: /boot/config-<release>, or the command that printed /proc/config.gz. */
  source: string;
  options: Map<string, string>;
}

export type KernelModulesView =
  | {
      ok: true;
      config: KernelConfigRead;
      modular: boolean;
      /** Loaded modules, when /proc/modules could be read; undefined on a kernel without module support. */
      loaded?: Set<string>;
      /** The file or folder that told which modules are loaded. */
      loadedPath: string;
      loadedSource: string;
      /** Modules installed for this kernel (modules.dep); undefined when there is no module tree for it. */
      installed?: Set<string>;
      installedPath: string;
      installedSource: string;
    }
  | { ok: false; reason: string };

export const PROC_CONFIG_GZ = '/proc/config.gz';
export const PROC_MODULES = '/proc/modules';
export const SYS_MODULE = '/sys/module';

/** The running kernel's build config, and which of its modules are loaded or could be loaded. */
export const kernelModules = defineFact<KernelModulesView>('kernel:modules', async (facts) => {
  const { host } = facts;
  const { kernel: release } = await facts.get(osInfo);
  if (release === 'unknown')
    return { ok: false, reason: 'the kernel release could not be read from /proc/sys/kernel/osrelease' };
  const bootConfigPath = `/boot/config-${release}`;
  let config: KernelConfigRead | undefined;
  const bootConfig = await host.readFile(bootConfigPath);
  const problems: string[] = [];
  if (bootConfig.ok) {
    config = { release, source: bootConfigPath, options: parseKernelConfig(bootConfig.content) };
  } else {
    problems.push(describeError(bootConfigPath, bootConfig.error));
    const procConfig = await host.stat(PROC_CONFIG_GZ);
    if (procConfig.ok) {
      // The host interface reads text; gzip decompresses the kernel's own copy of its config.
      const printed = await host.run(['gzip', '-dc', PROC_CONFIG_GZ]);
      if (printed.exitCode === 0)
        config = { release, source: shellLine(printed.argv), options: parseKernelConfig(printed.stdout) };
      else problems.push(`\`${shellLine(printed.argv)}\` failed: ${printed.error?.message ?? printed.stderr.trim()}`);
    } else {
      problems.push(describeError(PROC_CONFIG_GZ, procConfig.error));
    }
  }
  if (config === undefined)
    return { ok: false, reason: `the kernel's build config could not be read (${problems.join('; ')})` };
  const modular = config.options.get('CONFIG_MODULES') === 'y';
  const depPath = `/lib/modules/${release}/modules.dep`;
  if (!modular) {
    const noModules = `${config.source}: CONFIG_MODULES is not set, every feature is built in or absent`;
    return {
      ok: true,
      config,
      modular,
      loadedPath: PROC_MODULES,
      loadedSource: noModules,
      installedPath: depPath,
      installedSource: noModules,
    };
  }
  const [procModules, modulesDep] = await Promise.all([host.readFile(PROC_MODULES), host.readFile(depPath)]);
  const view: KernelModulesView = {
    ok: true,
    config,
    modular,
    loadedPath: PROC_MODULES,
    loadedSource: PROC_MODULES,
    installedPath: depPath,
    installedSource: depPath,
  };
  if (procModules.ok) {
    view.loaded = parseProcModules(procModules.content);
  } else {
    // Every loaded module has a folder in /sys/module (so do some built-in ones, which are then present too).
    const sysModule = await host.readDir(SYS_MODULE);
    if (sysModule.ok) {
      view.loaded = new Set(sysModule.entries);
      view.loadedPath = SYS_MODULE;
      view.loadedSource = `${SYS_MODULE} (${describeError(PROC_MODULES, procModules.error)})`;
    } else {
      view.loadedSource = `${describeError(PROC_MODULES, procModules.error)}; ${describeError(SYS_MODULE, sysModule.error)}`;
    }
  }
  if (modulesDep.ok) view.installed = parseModulesDep(modulesDep.content);
  else if (modulesDep.error.code === 'ENOENT')
    view.installedSource = `${depPath} does not exist: no modules are installed for kernel ${release}`;
  else return { ok: false, reason: describeError(depPath, modulesDep.error) };
  if (view.loaded === undefined)
    return { ok: false, reason: `which modules are loaded could not be read (${view.loadedSource})` };
  return view;
});

export type FeatureState = 'built-in' | 'loaded' | 'loadable' | 'missing';

export interface FeatureStatus {
  feature: KernelFeature;
  state: FeatureState;
  /** The option's value in the build config: y, m, or undefined when not built. */
  configured?: string;
  /** The config line, or the reason the feature counts as missing. */
  excerpt: string;
}

/** Where one feature stands on this kernel. */
export function featureStatus(view: Extract<KernelModulesView, { ok: true }>, feature: KernelFeature): FeatureStatus {
  const value = view.config.options.get(feature.option);
  const line = value === undefined ? `# ${feature.option} is not set` : `${feature.option}=${value}`;
  const base = value === undefined ? { feature } : { feature, configured: value };
  if (value === 'y') return { ...base, state: 'built-in', excerpt: line };
  if (value === 'm' && view.modular) {
    if (view.loaded?.has(feature.module))
      return { ...base, state: 'loaded', excerpt: `${line}; ${feature.module} is loaded` };
    if (view.installed?.has(feature.module))
      return { ...base, state: 'loadable', excerpt: `${line}; ${feature.module} is not loaded, but installed` };
    return {
      ...base,
      state: 'missing',
      excerpt: `${line}; ${feature.module} is neither loaded nor installed for ${view.config.release}`,
    };
  }
  return { ...base, state: 'missing', excerpt: line };
}

/** The iptables the engines will run: the binary it resolves to names the flavour. */
export const iptablesFlavour = defineFact<{ flavour: IptablesFlavour; excerpt: string }>(
  'iptables:flavour',
  async ({ host }) => {
    const lookup = await findExecutable(host, 'iptables', systemSearchPath(host.context));
    if (!lookup.found?.executable) return { flavour: 'unknown', excerpt: 'no iptables binary' };
    // Not `iptables --version`: iptables-nft opens a netfilter netlink socket even for that, which loads modules.
    const result = await host.run(['readlink', '-f', lookup.found.path]);
    const target = result.stdout.trim();
    if (result.exitCode !== 0 || target === '')
      return {
        flavour: 'unknown',
        excerpt: `${shellLine(result.argv)}: ${result.stderr.trim() || result.error?.message || 'no output'}`,
      };
    return { flavour: flavourOfBinary(target), excerpt: `${lookup.found.path} resolves to ${target}` };
  },
);
