import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TomlError, parse as parseToml } from 'smol-toml';
import { parseConflist } from '../../src/facts/cni.js';
import { parseDaemonJson, parseDockerdFlags } from '../../src/facts/docker-daemon.js';
import { parseDockerContainers, parseDockerInfo, parseDockerNetworks } from '../../src/facts/docker.js';
import { parseDefaultRoute } from '../../src/facts/firewall.js';
import { parseIpLinks, parseIpRoutes } from '../../src/facts/ip.js';
import { parseKernelConfig, parseModulesDep, parseProcModules } from '../../src/facts/kernel.js';
import { parseProcNetSockets, parseSsListeners } from '../../src/facts/listeners.js';
import { EngineOutputError } from '../../src/facts/model.js';
import { parseOsRelease } from '../../src/facts/os.js';
import { parsePodmanPsAll } from '../../src/facts/podman-ports.js';
import {
  parsePodmanContainers,
  parsePodmanInfo,
  parsePodmanNetworks,
  parseSubordinateIds,
} from '../../src/facts/podman.js';
import {
  parseCmdline,
  parsePidFile,
  parseProcessStatus,
  parseRange,
  parseStatusNameState,
} from '../../src/facts/processes.js';
import { parseResolvConf } from '../../src/facts/resolv.js';
import { parseIptablesSave } from '../../src/netfilter/iptables-save.js';
import { buildModel, evaluate } from '../../src/netfilter/model.js';
import { NftParseError, parseNftJson } from '../../src/netfilter/nft.js';
import type { Packet } from '../../src/netfilter/rule.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { mutateOutput } from './mutate.js';
import type { Random } from './random.js';

/**
 * A parser of host output, the inputs recorded for it, and the errors its fact catches (a malformed input then
 * makes the fact unreadable): any other exception is a crash.
 */
export interface ParserTarget {
  name: string;
  parse: (input: string) => unknown;
  expected: (error: unknown) => boolean;
  inputs: string[];
}

const NONE = () => false;
const ENGINE_OUTPUT = (error: unknown) => error instanceof EngineOutputError;
// These facts parse with JSON.parse or smol-toml and catch what they throw.
const SYNTAX = (error: unknown) => error instanceof SyntaxError || error instanceof TomlError;
// parseProcessStatus's fact catches every error it throws (a missing line, a CapEff that is not hex).
const ANY_ERROR = (error: unknown) =>
  error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError);

const PACKETS: Packet[] = [
  {
    hook: 'forward',
    layer: 'ip',
    family: 'ipv4',
    iif: 'podman1',
    oif: 'eth0',
    saddr: '10.89.0.3',
    daddr: '198.51.100.7',
    protocol: 'tcp',
    dport: 80,
    ctState: 'new',
    bridged: false,
    daddrLocal: false,
  },
  {
    hook: 'prerouting',
    layer: 'ip',
    family: 'ipv4',
    iif: 'eth0',
    saddr: '198.51.100.7',
    daddr: '192.0.2.2',
    protocol: 'tcp',
    dport: 8080,
    ctState: 'new',
    daddrLocal: true,
    bridged: false,
  },
  {
    hook: 'input',
    layer: 'ip',
    family: 'ipv4',
    iif: 'docker0',
    saddr: '172.17.0.2',
    daddr: '172.17.0.1',
    protocol: 'udp',
    dport: 53,
    ctState: 'new',
    daddrLocal: true,
    bridged: false,
  },
];

/** A parsed ruleset goes on through the model and a packet's evaluation, where a strange rule can still break. */
function throughModel(sources: Parameters<typeof buildModel>[0]): unknown {
  const model = buildModel(sources);
  return PACKETS.map((packet) => evaluate(model, packet));
}

function filesOf(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'));
}

function outputsOf(snapshots: Snapshot[], prefix: string[]): string[] {
  return [
    ...new Set(
      snapshots.flatMap((snapshot) =>
        snapshot.commands
          .filter((command) => prefix.every((arg, index) => command.argv[index] === arg) && command.stdout !== '')
          .map((command) => command.stdout),
      ),
    ),
  ];
}

function contentsOf(snapshots: Snapshot[], matches: (path: string) => boolean): string[] {
  return [
    ...new Set(
      snapshots.flatMap((snapshot) =>
        snapshot.files.flatMap((file) => (file.ok && matches(file.path) && file.content !== '' ? [file.content] : [])),
      ),
    ),
  ];
}

export function parserTargets(repo: string, snapshots: Snapshot[]): ParserTarget[] {
  const rulesets = join(repo, 'test/fixtures/rulesets');
  const saves = filesOf(rulesets, '-save.txt');
  const nfts = filesOf(rulesets, '.nft.json');
  const targets: ParserTarget[] = [
    {
      name: 'iptables-save',
      parse: (input) =>
        throughModel({ iptablesNft: [{ command: 'iptables-save', ruleset: parseIptablesSave(input, 'ipv4') }] }),
      expected: NONE,
      inputs: saves,
    },
    {
      name: 'iptables-legacy-save (ipv6)',
      parse: (input) =>
        throughModel({
          iptablesLegacy: [{ command: 'ip6tables-legacy-save', ruleset: parseIptablesSave(input, 'ipv6') }],
        }),
      expected: NONE,
      inputs: saves,
    },
    {
      name: 'nft -j list ruleset',
      parse: (input) => throughModel({ nft: { command: 'nft -j list ruleset', ruleset: parseNftJson(input) } }),
      expected: (error) => error instanceof NftParseError,
      inputs: nfts,
    },
    {
      name: 'podman info',
      parse: parsePodmanInfo,
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['podman', 'info']),
    },
    {
      name: 'podman network ls',
      parse: (input) => parsePodmanNetworks(input, 'podman network ls', 'rootful'),
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['podman', 'network', 'ls']),
    },
    {
      name: 'podman container inspect',
      parse: (input) => parsePodmanContainers(input, 'podman container inspect', 'rootless'),
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['podman', 'container', 'inspect']),
    },
    {
      name: 'podman ps --all',
      parse: parsePodmanPsAll,
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['podman', 'ps', '--all']),
    },
    {
      name: 'docker info',
      parse: parseDockerInfo,
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['docker', 'info']),
    },
    {
      name: 'docker network inspect',
      parse: (input) => parseDockerNetworks(input, 'docker network inspect'),
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['docker', 'network', 'inspect']),
    },
    {
      name: 'docker container inspect',
      parse: (input) => parseDockerContainers(input, 'docker container inspect'),
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['docker', 'container', 'inspect']),
    },
    {
      name: 'ip -j route show table all',
      parse: parseIpRoutes,
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['ip', '-j', 'route']),
    },
    {
      name: 'ip -j -d link',
      parse: parseIpLinks,
      expected: ENGINE_OUTPUT,
      inputs: outputsOf(snapshots, ['ip', '-j', '-d', 'link']),
    },
    {
      name: 'ip -j route show default',
      parse: parseDefaultRoute,
      expected: SYNTAX,
      inputs: outputsOf(snapshots, ['ip', '-j', 'route']),
    },
    {
      name: 'ss -Hlnup',
      parse: parseSsListeners,
      expected: NONE,
      inputs: [...outputsOf(snapshots, ['ss']), ...filesOf(join(repo, 'test/fixtures/netns'), '.ss.txt')],
    },
    {
      name: '/proc/net/udp',
      parse: (input) => parseProcNetSockets(input, '/proc/net/udp', 'udp'),
      expected: NONE,
      inputs: [
        ...contentsOf(snapshots, (path) => path.startsWith('/proc/net/udp')),
        ...filesOf(join(repo, 'test/fixtures/netns'), '.txt').filter((text) => /^\s*sl\s+local_address/.test(text)),
      ],
    },
    {
      name: '/proc/modules',
      parse: parseProcModules,
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path === '/proc/modules'),
    },
    {
      name: 'modules.dep',
      parse: parseModulesDep,
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path.endsWith('/modules.dep')),
    },
    {
      name: 'kernel config',
      parse: parseKernelConfig,
      expected: NONE,
      inputs: [...contentsOf(snapshots, (path) => path.startsWith('/boot/config-')), ...outputsOf(snapshots, ['gzip'])],
    },
    {
      name: '/proc/PID/status',
      parse: (input) => [
        parseStatusNameState(input),
        (() => {
          try {
            return parseProcessStatus(input);
          } catch (error) {
            if (ANY_ERROR(error)) return undefined;
            throw error;
          }
        })(),
      ],
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => /^\/proc\/\d+\/status$/.test(path)),
    },
    {
      name: '/proc/PID/cmdline and dockerd flags',
      parse: (input) => parseDockerdFlags(parseCmdline(input)),
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => /^\/proc\/\d+\/cmdline$/.test(path)),
    },
    {
      name: 'pid file',
      parse: parsePidFile,
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path.endsWith('.pid')),
    },
    {
      name: 'sysctl range',
      parse: parseRange,
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path.startsWith('/proc/sys/')),
    },
    {
      name: 'resolv.conf',
      parse: (input) => parseResolvConf('/etc/resolv.conf', input),
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path.endsWith('resolv.conf')),
    },
    {
      name: 'os-release',
      parse: parseOsRelease,
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path.endsWith('os-release')),
    },
    {
      name: '/etc/subuid',
      parse: parseSubordinateIds,
      expected: NONE,
      inputs: contentsOf(snapshots, (path) => path === '/etc/subuid'),
    },
    {
      name: 'daemon.json',
      parse: parseDaemonJson,
      expected: SYNTAX,
      inputs: contentsOf(snapshots, (path) => path.endsWith('daemon.json')),
    },
    {
      name: 'CNI conflist',
      parse: (input) => parseConflist('/etc/cni/net.d/x.conflist', input),
      expected: SYNTAX,
      inputs: contentsOf(snapshots, (path) => path.endsWith('.conflist')),
    },
    {
      name: 'containers.conf',
      parse: (input) => parseToml(input),
      expected: SYNTAX,
      inputs: contentsOf(snapshots, (path) => path.endsWith('containers.conf') || path.endsWith('.conf.d')),
    },
  ];
  return targets.filter((target) => target.inputs.length > 0);
}

export type ParserOutcome = { kind: 'parsed' } | { kind: 'rejected' } | { kind: 'failure'; problem: string };

/** Feeds one mutated input to a parser: it returns, or throws what its fact catches. */
export function fuzzParser(target: ParserTarget, input: string): ParserOutcome {
  try {
    target.parse(input);
    return { kind: 'parsed' };
  } catch (error) {
    if (target.expected(error)) return { kind: 'rejected' };
    return { kind: 'failure', problem: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

export function mutateParserInput(random: Random, target: ParserTarget, donors: readonly string[]): string {
  let input = random.pick(target.inputs);
  for (let count = 1 + random.int(3); count > 0; count--) input = mutateOutput(random, input, donors);
  return input;
}
