import type { FileStat, Host, HostContext, HostError } from '../core/host.js';
import { defineFact, type FactDefinition } from '../core/facts.js';

/** A value read from the host, or the reason it could not be read. */
export type Readable<T> = { ok: true; value: T } | { ok: false; reason: string; code: string };

export function describeError(what: string, error: HostError): string {
  switch (error.code) {
    case 'ENOENT':
      return `${what} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `${what}: permission denied`;
    case 'ENOTRECORDED':
      return error.message;
    default:
      return `${what}: ${error.message}`;
  }
}

export function sysctlPath(name: string): string {
  return `/proc/sys/${name.split('.').join('/')}`;
}

export interface SysctlValue {
  name: string;
  path: string;
  raw: string;
}

/** A sysctl of netdoctor's own network namespace, read from /proc/sys (no `sysctl` binary needed). */
export function sysctl(name: string): FactDefinition<Readable<SysctlValue>> {
  return sysctlAt(name, sysctlPath(name));
}

/** A per-interface sysctl: interface names may contain dots, so the path is built from parts. */
export function interfaceSysctl(
  family: 'ipv4' | 'ipv6',
  iface: string,
  key: string,
): FactDefinition<Readable<SysctlValue>> {
  return sysctlAt(`net.${family}.conf.${iface}.${key}`, `/proc/sys/net/${family}/conf/${iface}/${key}`);
}

function sysctlAt(name: string, path: string): FactDefinition<Readable<SysctlValue>> {
  return defineFact(`sysctl:${path}`, async ({ host }) => {
    const file = await host.readFile(path);
    if (!file.ok) return { ok: false, code: file.error.code, reason: describeError(path, file.error) };
    return { ok: true, value: { name, path, raw: file.content.trim().replace(/\s+/g, ' ') } };
  });
}

/** Directories searched for system binaries such as iptables and dnsmasq: the caller's PATH plus the sbin ones. */
export function systemSearchPath(context: HostContext): string[] {
  const fromEnv = (context.env.PATH ?? '').split(':').filter((dir) => dir.startsWith('/'));
  const standard = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return [...new Set([...fromEnv, ...standard])];
}

export interface ExecutableLookup {
  name: string;
  searched: string[];
  /** The first candidate found, executable or not. */
  found?: { path: string; stat: FileStat; executable: boolean };
  /** Candidates that could not be examined (permission denied, not recorded): the lookup is then uncertain. */
  unreadable: string[];
}

/** Whether the user netdoctor runs as may execute a file with this status. */
export function isExecutableBy(stat: FileStat, context: HostContext): boolean {
  if (stat.type !== 'file') return false;
  if (context.uid === 0) return (stat.mode & 0o111) !== 0;
  if (stat.uid === context.uid) return (stat.mode & 0o100) !== 0;
  if (stat.gid === context.gid || context.groups.includes(stat.gid)) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

export function isReadWritableBy(stat: FileStat, context: HostContext): boolean {
  if (context.uid === 0) return true;
  let bits = stat.mode & 0o007;
  if (stat.uid === context.uid) bits = (stat.mode >> 6) & 0o7;
  else if (stat.gid === context.gid || context.groups.includes(stat.gid)) bits = (stat.mode >> 3) & 0o7;
  return (bits & 0o6) === 0o6;
}

/**
 * Finds a binary the way exec.LookPath does, in the given directories, by stat alone (running
 * `which` would be one more command per name). The first existing candidate wins, as for a real lookup:
 * an existing but non-executable file shadows nothing but is reported.
 */
export async function findExecutable(host: Host, name: string, dirs: readonly string[]): Promise<ExecutableLookup> {
  const lookup: ExecutableLookup = { name, searched: dirs.map((dir) => `${dir}/${name}`), unreadable: [] };
  const results = await Promise.all(lookup.searched.map((path) => host.stat(path)));
  let firstNonExecutable: ExecutableLookup['found'];
  for (const result of results) {
    if (!result.ok) {
      if (result.error.code !== 'ENOENT' && result.error.code !== 'ENOTDIR')
        lookup.unreadable.push(`${result.path} (${result.error.code})`);
      continue;
    }
    if (result.stat.type !== 'file') continue;
    const executable = isExecutableBy(result.stat, host.context);
    if (executable) {
      lookup.found = { path: result.path, stat: result.stat, executable };
      return lookup;
    }
    firstNonExecutable ??= { path: result.path, stat: result.stat, executable };
  }
  if (firstNonExecutable !== undefined) lookup.found = firstNonExecutable;
  return lookup;
}

export function describeLookup(lookup: ExecutableLookup): string {
  if (lookup.found?.executable) return `${lookup.name}: found at ${lookup.found.path}`;
  if (lookup.found)
    return `${lookup.name}: ${lookup.found.path} exists but is not executable (mode ${modeString(lookup.found.stat)})`;
  return `${lookup.name}: not found in ${lookup.searched.map((path) => path.slice(0, -lookup.name.length - 1)).join(', ')}`;
}

export function modeString(stat: FileStat): string {
  const letters = 'rwxrwxrwx';
  let text = '';
  for (let bit = 8; bit >= 0; bit--) text += stat.mode & (1 << bit) ? letters[8 - bit] : '-';
  const prefix = { file: '-', directory: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's', other: '?' }[
    stat.type
  ];
  return `${prefix}${text} ${stat.uid}:${stat.gid}`;
}

/** Whether systemd manages this host: fix commands then use systemctl, otherwise they start daemons by hand. */
export const systemdRunning = defineFact<boolean>('host:systemd', async ({ host }) => {
  const run = await host.stat('/run/systemd/system');
  return run.ok && run.stat.type === 'directory';
});
