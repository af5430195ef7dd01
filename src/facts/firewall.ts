/**
 * Firewall facts: the host's netfilter rulesets, read once per run and only where reading has no side effect,
 * the model built from them, and what the paths of container traffic need (bridge-nf-call-iptables, the
 * default route's interface, the rootful networks that have running containers).
 */
import { type CommandResult, type Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import { parseIptablesSave, type IptablesFamily, type IptablesRuleset } from '../netfilter/iptables-save.js';
import { buildModel, type FirewallModel, type Sourced } from '../netfilter/model.js';
import { NftParseError, parseNftJson, type NftRuleset } from '../netfilter/nft.js';
import type { Evidence } from '../core/types.js';
import { dockerContainers, dockerState, failureReason } from './docker.js';
import { rootfulBridgeNetworks } from './engines.js';
import { defineFact, type Facts } from '../core/facts.js';
import { describeError, findExecutable, sysctl, systemSearchPath } from './files.js';
import { asArray, asRecord, asString, type Container, type ContainerNetwork } from './model.js';
import { osInfo } from './os.js';
import { podmanContainers, podmanState } from './podman.js';
import { appendAll } from '../core/lists.js';

export const NFT_LIST = ['nft', '-j', 'list', 'ruleset'];
export const DEFAULT_ROUTE = ['ip', '-j', 'route', 'show', 'default'];
export const NEEDS_ROOT = 'cannot read the firewall rules: needs root (run netdoctor as root)';

/** One ruleset: read, deliberately not read (and why), or failed. */
export type RulesetRead<T> =
  | { status: 'read'; command: string; ruleset: T; warnings: string[] }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

export interface KernelNetfilter {
  /** False when the kernel cannot load modules (no /proc/modules): running a tool then cannot load anything. */
  moduleLoading: boolean;
  /** Whether nf_tables is in the kernel now (loaded or built in), so that listing it loads nothing. */
  nfTables: boolean;
  nfTablesReason: string;
  /**
   * The legacy x_tables tables in use, from /proc/net/ip{,6}_tables_names; undefined when ip{,6}_tables is not loaded
   * or the file could not be read (legacyProblems says why).
   */
  legacyTables: Record<IptablesFamily, string[] | undefined>;
  legacyProblems: Partial<Record<IptablesFamily, string>>;
  evidence: Evidence[];
}

export interface FirewallRulesets {
  kernel: KernelNetfilter;
  nft: RulesetRead<NftRuleset>;
  iptablesNft: Record<IptablesFamily, RulesetRead<IptablesRuleset>>;
  iptablesLegacy: Record<IptablesFamily, RulesetRead<IptablesRuleset>>;
}

export type FirewallRulesetsFact = { ok: true; rulesets: FirewallRulesets } | { ok: false; reason: string };

const FAMILIES: readonly IptablesFamily[] = ['ipv4', 'ipv6'];
const LEGACY_NAMES_FILE: Record<IptablesFamily, string> = {
  ipv4: '/proc/net/ip_tables_names',
  ipv6: '/proc/net/ip6_tables_names',
};
const SAVE_TOOL: Record<IptablesFamily, string> = { ipv4: 'iptables', ipv6: 'ip6tables' };

function parseLoadedModules(content: string): Set<string> {
  return new Set(
    content
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name !== ''),
  );
}

function parseTableNames(content: string): string[] {
  return content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** What the kernel holds now, read from /proc and /sys only. */
export const kernelNetfilter = defineFact<KernelNetfilter>('firewall:kernel', async (facts) => {
  const { host } = facts;
  const [modules, legacy4, legacy6] = await Promise.all([
    host.readFile('/proc/modules'),
    host.readFile(LEGACY_NAMES_FILE.ipv4),
    host.readFile(LEGACY_NAMES_FILE.ipv6),
  ]);
  const evidence: Evidence[] = [];
  const legacyTables: Record<IptablesFamily, string[] | undefined> = { ipv4: undefined, ipv6: undefined };
  const legacyProblems: Partial<Record<IptablesFamily, string>> = {};
  for (const [family, read] of [
    ['ipv4', legacy4],
    ['ipv6', legacy6],
  ] as const) {
    if (read.ok) legacyTables[family] = parseTableNames(read.content);
    else if (read.error.code !== 'ENOENT') legacyProblems[family] = describeError(read.path, read.error);
    evidence.push({
      source: 'file',
      what: read.path,
      excerpt: read.ok ? parseTableNames(read.content).join(' ') || '(empty)' : describeError(read.path, read.error),
    });
  }
  if (!modules.ok) {
    evidence.push({ source: 'file', what: modules.path, excerpt: describeError(modules.path, modules.error) });
    if (modules.error.code === 'ENOENT') {
      return {
        moduleLoading: false,
        nfTables: true,
        nfTablesReason:
          'this kernel cannot load modules (no /proc/modules): nf_tables is built in or absent, and reading it loads nothing',
        legacyTables,
        legacyProblems,
        evidence,
      };
    }
    return {
      moduleLoading: true,
      nfTables: false,
      nfTablesReason: `could not tell whether nf_tables is loaded: ${describeError(modules.path, modules.error)}`,
      legacyTables,
      legacyProblems,
      evidence,
    };
  }
  const loaded = parseLoadedModules(modules.content);
  evidence.push({
    source: 'file',
    what: modules.path,
    excerpt: loaded.has('nf_tables') ? 'nf_tables loaded' : 'nf_tables not listed',
  });
  if (loaded.has('nf_tables'))
    return {
      moduleLoading: true,
      nfTables: true,
      nfTablesReason: 'nf_tables is loaded',
      legacyTables,
      legacyProblems,
      evidence,
    };
  const builtIn = await nfTablesBuiltIn(facts);
  evidence.push(...builtIn.evidence);
  return {
    moduleLoading: true,
    nfTables: builtIn.builtIn,
    nfTablesReason: builtIn.builtIn
      ? 'nf_tables is built into the kernel'
      : 'nf_tables is not loaded, so there are no nftables rules (netdoctor does not load it)',
    legacyTables,
    legacyProblems,
    evidence,
  };
});

/**
 * A built-in module is not in /proc/modules; /sys/module lists it only if it has parameters, modules.builtin always.
 */
async function nfTablesBuiltIn(facts: Facts): Promise<{ builtIn: boolean; evidence: Evidence[] }> {
  const { host } = facts;
  const sysModule = await host.stat('/sys/module/nf_tables');
  if (sysModule.ok) return { builtIn: true, evidence: [{ source: 'stat', what: sysModule.path, excerpt: 'exists' }] };
  const { kernel } = await facts.get(osInfo);
  const path = `/lib/modules/${kernel}/modules.builtin`;
  const builtin = await host.readFile(path);
  const listed = builtin.ok && builtin.content.split('\n').some((line) => line.endsWith('/nf_tables.ko'));
  return {
    builtIn: listed,
    evidence: [
      {
        source: 'file',
        what: path,
        excerpt: builtin.ok
          ? listed
            ? 'lists nf_tables.ko'
            : 'does not list nf_tables.ko'
          : describeError(path, builtin.error),
      },
    ],
  };
}

function commandFailure(result: CommandResult): string {
  if (/permission denied|operation not permitted|must be root/i.test(result.stderr)) return NEEDS_ROOT;
  return failureReason(result);
}

async function readNft(host: Host, available: boolean): Promise<RulesetRead<NftRuleset>> {
  if (!available)
    return {
      status: 'skipped',
      reason: 'nft is not installed: native nftables tables (nftables.service, firewalld) cannot be read',
    };
  const result = await host.run(NFT_LIST);
  const command = shellLine(NFT_LIST);
  if (result.exitCode !== 0) return { status: 'failed', reason: commandFailure(result) };
  try {
    return { status: 'read', command, ruleset: parseNftJson(result.stdout), warnings: [] };
  } catch (error) {
    if (error instanceof NftParseError)
      return { status: 'failed', reason: `could not read the output of \`${command}\`: ${error.message}` };
    throw error;
  }
}

async function readIptables(host: Host, tool: string, family: IptablesFamily): Promise<RulesetRead<IptablesRuleset>> {
  const result = await host.run([tool]);
  if (result.exitCode !== 0) return { status: 'failed', reason: commandFailure(result) };
  // The save tools print the legacy-tables warning on stderr; the parser looks for it in the text.
  const ruleset = parseIptablesSave(`${result.stderr}\n${result.stdout}`, family);
  return {
    status: 'read',
    command: tool,
    ruleset,
    warnings: ruleset.warnings.map((warning) => `${tool} line ${warning.line}: ${warning.message}`),
  };
}

export const firewallRulesets = defineFact<FirewallRulesetsFact>('firewall:rulesets', async (facts) => {
  const { host } = facts;
  if (host.context.uid !== 0) return { ok: false, reason: NEEDS_ROOT };
  const kernel = await facts.get(kernelNetfilter);
  const dirs = systemSearchPath(host.context);
  const names = [
    'nft',
    'iptables-nft-save',
    'ip6tables-nft-save',
    'iptables-legacy-save',
    'ip6tables-legacy-save',
    'iptables-save',
    'ip6tables-save',
  ];
  const lookups = await Promise.all(names.map((name) => findExecutable(host, name, dirs)));
  const has = (name: string) => lookups[names.indexOf(name)]?.found?.executable === true;
  const notLoaded: RulesetRead<never> = { status: 'skipped', reason: kernel.nfTablesReason };

  const nftFlavour = async (family: IptablesFamily): Promise<RulesetRead<IptablesRuleset>> => {
    if (!kernel.nfTables) return notLoaded;
    const tool = `${SAVE_TOOL[family]}-nft-save`;
    return has(tool) ? readIptables(host, tool, family) : { status: 'skipped', reason: `${tool} is not installed` };
  };
  const legacyFlavour = async (family: IptablesFamily): Promise<RulesetRead<IptablesRuleset>> => {
    const tables = kernel.legacyTables[family];
    const file = LEGACY_NAMES_FILE[family];
    const problem = kernel.legacyProblems[family];
    if (problem !== undefined)
      return {
        status: 'failed',
        reason: `whether legacy ${SAVE_TOOL[family]} tables are in use is unknown: ${problem}`,
      };
    // Listing legacy tables would load ip_tables and create them: only read what the kernel already has.
    if (tables === undefined)
      return {
        status: 'skipped',
        reason: `${file} does not exist: the legacy ${SAVE_TOOL[family]} tables are not loaded`,
      };
    if (tables.length === 0)
      return { status: 'skipped', reason: `${file} is empty: no legacy ${SAVE_TOOL[family]} table is in use` };
    const tool = `${SAVE_TOOL[family]}-legacy-save`;
    // Before iptables 1.8 there is only the legacy tool, called iptables-save.
    const fallback = `${SAVE_TOOL[family]}-save`;
    if (has(tool)) return readIptables(host, tool, family);
    if (!has(`${SAVE_TOOL[family]}-nft-save`) && has(fallback)) return readIptables(host, fallback, family);
    return { status: 'failed', reason: `legacy tables are in use (${tables.join(', ')}) but ${tool} is not installed` };
  };

  const [nft, nft4, nft6, legacy4, legacy6] = await Promise.all([
    kernel.nfTables ? readNft(host, has('nft')) : Promise.resolve(notLoaded),
    nftFlavour('ipv4'),
    nftFlavour('ipv6'),
    legacyFlavour('ipv4'),
    legacyFlavour('ipv6'),
  ]);
  return {
    ok: true,
    rulesets: {
      kernel,
      nft,
      iptablesNft: { ipv4: nft4, ipv6: nft6 },
      iptablesLegacy: { ipv4: legacy4, ipv6: legacy6 },
    },
  };
});

export interface ModelFact {
  ok: true;
  model: FirewallModel;
  rulesets: FirewallRulesets;
  /** What the model lacks: rulesets that failed, parser warnings. */
  limits: string[];
}

/** Parser warnings named one by one per ruleset; a ruleset of garbage would otherwise give one per line. */
const LISTED_WARNINGS = 10;

export const firewallModel = defineFact<ModelFact | { ok: false; reason: string }>('firewall:model', async (facts) => {
  const read = await facts.get(firewallRulesets);
  if (!read.ok) return read;
  const { rulesets } = read;
  const limits: string[] = [];
  const collect = <T>(entry: RulesetRead<T>): Sourced<T> | undefined => {
    if (entry.status === 'failed') limits.push(entry.reason);
    if (entry.status !== 'read') return undefined;
    appendAll(limits, entry.warnings.slice(0, LISTED_WARNINGS));
    if (entry.warnings.length > LISTED_WARNINGS)
      limits.push(`${entry.command}: ${entry.warnings.length - LISTED_WARNINGS} more lines it could not read`);
    return { command: entry.command, ruleset: entry.ruleset };
  };
  const nft = collect(rulesets.nft);
  const iptablesNft = FAMILIES.map((family) => collect(rulesets.iptablesNft[family])).filter(
    (entry) => entry !== undefined,
  );
  const iptablesLegacy = FAMILIES.map((family) => collect(rulesets.iptablesLegacy[family])).filter(
    (entry) => entry !== undefined,
  );
  const anyRead = [
    rulesets.nft,
    ...FAMILIES.map((family) => rulesets.iptablesNft[family]),
    ...FAMILIES.map((family) => rulesets.iptablesLegacy[family]),
  ].some((entry) => entry.status === 'read');
  const failed = limits.filter((limit) => limit === NEEDS_ROOT);
  if (!anyRead && failed.length > 0) return { ok: false, reason: NEEDS_ROOT };
  if (!anyRead && limits.length > 0)
    return { ok: false, reason: `no ruleset could be read: ${[...new Set(limits)].join('; ')}` };
  const sources: Parameters<typeof buildModel>[0] = { iptablesNft, iptablesLegacy };
  if (nft) sources.nft = nft;
  return { ok: true, model: buildModel(sources), rulesets, limits: [...new Set(limits)] };
});

export type BridgeNetfilter = { ok: true; value: boolean; evidence: Evidence } | { ok: false; reason: string };

/** Whether bridged IPv4 traffic crosses the IP hooks; the file exists only while br_netfilter is loaded. */
export const bridgeNfCallIptables = defineFact<BridgeNetfilter>('firewall:bridge-nf-call-iptables', async (facts) => {
  const value = await facts.get(sysctl('net.bridge.bridge-nf-call-iptables'));
  if (value.ok)
    return {
      ok: true,
      value: value.value.raw === '1',
      evidence: { source: 'file', what: value.value.path, excerpt: value.value.raw },
    };
  if (value.code === 'ENOENT') {
    return {
      ok: true,
      value: false,
      evidence: {
        source: 'file',
        what: '/proc/sys/net/bridge/bridge-nf-call-iptables',
        excerpt: 'does not exist: br_netfilter is not loaded',
      },
    };
  }
  return { ok: false, reason: value.reason };
});

export type DefaultRoute =
  { ok: true; interface: string | undefined; evidence: Evidence } | { ok: false; reason: string };

export function parseDefaultRoute(stdout: string): string | undefined {
  const routes = asArray(JSON.parse(stdout)).map(asRecord);
  return routes.map((route) => asString(route.dev)).find((dev) => dev !== undefined);
}

/** The interface of the host's default route: where container traffic to the outside leaves. */
export const defaultRoute = defineFact<DefaultRoute>('firewall:default-route', async ({ host }) => {
  const result = await host.run(DEFAULT_ROUTE);
  if (result.exitCode !== 0) return { ok: false, reason: failureReason(result) };
  try {
    const uplink = parseDefaultRoute(result.stdout);
    return {
      ok: true,
      interface: uplink,
      evidence: {
        source: 'command',
        what: shellLine(DEFAULT_ROUTE),
        excerpt: result.stdout.trim() || '(no default route)',
      },
    };
  } catch (error) {
    return {
      ok: false,
      reason: `\`${shellLine(DEFAULT_ROUTE)}\` printed output that is not JSON (${(error as Error).message})`,
    };
  }
});

/** Which firewall code programs a network's rules. */
export type RuleWriter = 'docker' | 'netavark' | 'cni';

export interface AttachedContainer {
  name: string;
  address: string;
  publishedPorts: Container['publishedPorts'];
}

export interface NetworkUnderTest {
  network: ContainerNetwork;
  writer: RuleWriter;
  bridge: string;
  /** Running containers on this network with an IPv4 address on it. */
  containers: AttachedContainer[];
}

export interface RootfulTraffic {
  networks: NetworkUnderTest[];
  /** What could not be listed: the list may be incomplete. */
  unknown: string[];
}

/**
 * The rootful bridge networks that have running containers: only these need the engine's rules now (netavark
 * and CNI add them with the first container and leave empty chains behind when the last one stops).
 */
export const rootfulTraffic = defineFact<RootfulTraffic>('firewall:rootful-traffic', async (facts) => {
  // Asked for beside the engines' states, the listings run beside `docker info` and `podman info`, not after them.
  const [bridges, docker, podman, dockerListing, podmanListing] = await Promise.all([
    facts.get(rootfulBridgeNetworks),
    facts.get(dockerState),
    facts.get(podmanState),
    facts.get(dockerContainers),
    facts.get(podmanContainers),
  ]);
  const result: RootfulTraffic = { networks: [], unknown: [...bridges.unknown] };
  const running: Container[] = [];
  if (docker.kind === 'ok' && !docker.info.rootless) {
    const listing = dockerListing;
    if (listing.ok)
      appendAll(
        running,
        listing.items.filter((container) => container.running),
      );
    else result.unknown.push(`docker containers: ${listing.reason}`);
  }
  if (podman.kind === 'ok' && podman.scope === 'rootful') {
    const listing = podmanListing;
    if (listing.ok)
      appendAll(
        running,
        listing.items.filter((container) => container.running),
      );
    else result.unknown.push(`podman containers: ${listing.reason}`);
  }
  for (const network of bridges.networks) {
    if (network.bridge === undefined) continue;
    const containers: AttachedContainer[] = [];
    for (const container of running.filter((candidate) => candidate.engine === network.engine)) {
      const attachment = container.networks.find((candidate) => candidate.network === network.name);
      if (attachment?.ipAddress)
        containers.push({
          name: container.name,
          address: attachment.ipAddress,
          publishedPorts: container.publishedPorts,
        });
    }
    if (containers.length === 0) continue;
    const writer: RuleWriter =
      network.engine === 'docker'
        ? 'docker'
        : podman.kind === 'ok' && podman.info.networkBackend === 'cni'
          ? 'cni'
          : 'netavark';
    result.networks.push({ network, writer, bridge: network.bridge, containers });
  }
  return result;
});

export interface DockerFirewallSettings {
  /** dockerd manages iptables (the default) or was told not to (`--iptables=false`, `"iptables": false`). */
  iptables: boolean;
  ipMasquerade: boolean;
  evidence: Evidence[];
}

/** dockerd's firewall switches, from /etc/docker/daemon.json and the running daemon's command line. */
export const dockerFirewallSettings = defineFact<DockerFirewallSettings>(
  'firewall:docker-settings',
  async ({ host }) => {
    const settings: DockerFirewallSettings = { iptables: true, ipMasquerade: true, evidence: [] };
    const config = await host.readFile('/etc/docker/daemon.json');
    if (config.ok) {
      try {
        const parsed = asRecord(JSON.parse(config.content));
        if (parsed.iptables === false) settings.iptables = false;
        if (parsed['ip-masq'] === false) settings.ipMasquerade = false;
        settings.evidence.push({
          source: 'file',
          what: config.path,
          excerpt: `iptables: ${String(parsed.iptables ?? 'default')}, ip-masq: ${String(parsed['ip-masq'] ?? 'default')}`,
        });
      } catch {
        settings.evidence.push({ source: 'file', what: config.path, excerpt: 'not valid JSON' });
      }
    }
    const pidFile = await host.readFile('/var/run/docker.pid');
    const pid = pidFile.ok ? pidFile.content.trim() : '';
    if (/^\d+$/.test(pid)) {
      const cmdline = await host.readFile(`/proc/${pid}/cmdline`);
      if (cmdline.ok) {
        const args = cmdline.content.split('\0').filter((arg) => arg !== '');
        if (args.includes('--iptables=false')) settings.iptables = false;
        if (args.includes('--ip-masq=false')) settings.ipMasquerade = false;
        settings.evidence.push({ source: 'file', what: cmdline.path, excerpt: args.join(' ') });
      }
    }
    return settings;
  },
);
