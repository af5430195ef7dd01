import { shellLine } from '../core/shell.js';
import { defineFact, type Facts } from '../core/facts.js';
import { describeError } from './files.js';
import { asRecord } from './model.js';
import { pidFile, processById, processesNamed, type ProcessInfo } from './processes.js';

export const DOCKER_PID_FILE = '/var/run/docker.pid';
export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';

/** The dockerd settings that decide whether docker programs the firewall and lets containers talk. */
export const DAEMON_SWITCHES = ['iptables', 'ip-masq', 'ip-forward', 'icc'] as const;
export type DaemonSwitch = (typeof DAEMON_SWITCHES)[number];

export interface SwitchSetting {
  value: boolean;
  /** "daemon.json" or "command line", with the text that set it. */
  source: 'file' | 'flag';
  excerpt: string;
}

export interface DockerDaemonConfig {
  process: ProcessInfo;
  configPath: string;
  /** Why the config file could not be used; undefined when it was read or does not exist. */
  configProblem?: string;
  configExists: boolean;
  /** Only the switches set somewhere; unset ones keep docker's default (true). */
  switches: Partial<Record<DaemonSwitch, SwitchSetting>>;
  /** "dns" of daemon.json or --dns flags. */
  dns: string[];
}

export type DockerDaemon =
  { ok: true; config: DockerDaemonConfig } | { ok: false; reason: string; notRunning?: boolean };

/** Go's strconv.ParseBool, which dockerd's flag parser uses. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

export interface DockerdFlags {
  switches: Partial<Record<DaemonSwitch, SwitchSetting>>;
  configFile?: string;
  dns: string[];
}

export function parseDockerdFlags(argv: readonly string[]): DockerdFlags {
  const flags: DockerdFlags = { switches: {}, dns: [] };
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) continue;
    const [, name = '', inline] = match;
    if ((DAEMON_SWITCHES as readonly string[]).includes(name)) {
      // A bool flag takes its value only after "=": "--iptables false" leaves "false" as a stray argument.
      const value = inline === undefined ? true : parseGoBool(inline);
      if (value !== undefined) flags.switches[name as DaemonSwitch] = { value, source: 'flag', excerpt: arg };
    } else if (name === 'config-file') {
      flags.configFile = inline ?? argv[++index];
    } else if (name === 'dns') {
      const value = inline ?? argv[++index];
      if (value !== undefined) flags.dns.push(value);
    }
  }
  return flags;
}

export function parseDaemonJson(content: string): {
  switches: Partial<Record<DaemonSwitch, SwitchSetting>>;
  dns: string[];
} {
  const data = asRecord(JSON.parse(content));
  const switches: Partial<Record<DaemonSwitch, SwitchSetting>> = {};
  for (const name of DAEMON_SWITCHES) {
    const value = data[name];
    if (typeof value === 'boolean') switches[name] = { value, source: 'file', excerpt: `"${name}": ${value}` };
  }
  const dns = Array.isArray(data.dns) ? data.dns.filter((item): item is string => typeof item === 'string') : [];
  return { switches, dns };
}

async function findDockerd(facts: Facts): Promise<ProcessInfo | { reason: string }> {
  const recorded = await facts.get(pidFile(DOCKER_PID_FILE));
  if (recorded.kind === 'pid') {
    const lookup = await facts.get(processById(recorded.pid));
    if (lookup.kind === 'running' && lookup.process.name === 'dockerd') return lookup.process;
  }
  // /run outlives a reboot on some hosts, so a pid file may name another process or none: look for dockerd itself.
  const found = await facts.get(processesNamed('dockerd'));
  if (!found.ok) return { reason: found.reason };
  const [first] = found.processes;
  return (
    first ?? {
      reason: `no dockerd process runs (${recorded.kind === 'pid' ? `${DOCKER_PID_FILE} names ${recorded.pid}, which is not dockerd` : recorded.reason})`,
    }
  );
}

/** dockerd's effective switches, from its command line and its daemon.json. */
export const dockerDaemon = defineFact<DockerDaemon>('docker:daemon', async (facts) => {
  const dockerd = await findDockerd(facts);
  if ('reason' in dockerd) return { ok: false, reason: dockerd.reason, notRunning: true };
  if (dockerd.argv.length === 0)
    return { ok: false, reason: `the command line of dockerd (pid ${dockerd.pid}) could not be read` };
  const flags = parseDockerdFlags(dockerd.argv);
  const configPath = flags.configFile ?? DEFAULT_DAEMON_JSON;
  const config: DockerDaemonConfig = {
    process: dockerd,
    configPath,
    configExists: false,
    switches: { ...flags.switches },
    dns: flags.dns,
  };
  const file = await facts.host.readFile(configPath);
  if (file.ok) {
    config.configExists = true;
    try {
      const parsed = parseDaemonJson(file.content);
      // dockerd refuses to start when a setting is both a flag and in the file, so the two never disagree.
      config.switches = { ...parsed.switches, ...flags.switches };
      config.dns.push(...parsed.dns);
    } catch (error) {
      config.configProblem = `${configPath} is not valid JSON (${(error as Error).message})`;
    }
  } else if (file.error.code !== 'ENOENT') {
    config.configProblem = describeError(configPath, file.error);
  }
  return { ok: true, config };
});

/** How to restart dockerd on this host, with its command line minus the arguments to drop. */
export function restartDockerdCommands(
  process: ProcessInfo,
  systemd: boolean,
  dropArguments: readonly string[] = [],
): string[] {
  if (systemd) return ['systemctl restart docker'];
  const argv = process.argv.filter((arg) => !dropArguments.includes(arg));
  return [
    // The pid is a number read from /proc: nothing in this line comes from a name.
    `kill ${process.pid}; while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `setsid ${shellLine(argv)} >>/var/log/dockerd.log 2>&1 < /dev/null &`,
  ];
}
