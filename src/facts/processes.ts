import { NotRecordedError, type CommandResult, type Host } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import { defineFact } from '../core/facts.js';
import type { Scope } from '../core/types.js';
import { describeError, type Readable } from './files.js';

export interface ProcessInfo {
  pid: number;
  /** The Name: line of /proc/<pid>/status (the comm, at most 15 characters). */
  name: string;
  /** R, S, D, Z, T, ...: a zombie (Z) is dead, only not yet reaped. */
  state: string;
  argv: string[];
}

/** A process that is alive, or why none is: gone (or a zombie), or not readable by this user. */
export type ProcessLookup =
  | { kind: 'running'; process: ProcessInfo }
  | { kind: 'gone'; pid: number; reason: string }
  | { kind: 'unreadable'; pid: number; reason: string };

export function parseStatusNameState(content: string): { name: string; state: string } | undefined {
  const fields = statusFields(content);
  const name = fields.get('Name');
  const state = fields.get('State')?.charAt(0);
  return name === undefined || state === undefined || state === '' ? undefined : { name, state };
}

export function parseCmdline(content: string): string[] {
  return content.split('\0').filter((arg, index, all) => arg !== '' || index < all.length - 1);
}

export function parsePidFile(content: string): number | undefined {
  const text = content.trim();
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

async function readProcess(host: Host, pid: number): Promise<ProcessLookup> {
  const [status, cmdline] = await Promise.all([
    host.readFile(`/proc/${pid}/status`),
    host.readFile(`/proc/${pid}/cmdline`),
  ]);
  if (!status.ok) {
    if (status.error.code === 'ENOENT')
      return { kind: 'gone', pid, reason: `no process ${pid} (${status.path} does not exist)` };
    return { kind: 'unreadable', pid, reason: describeError(status.path, status.error) };
  }
  const parsed = parseStatusNameState(status.content);
  if (parsed === undefined) return { kind: 'unreadable', pid, reason: `${status.path} has no Name: or State: line` };
  if (parsed.state === 'Z')
    return { kind: 'gone', pid, reason: `process ${pid} (${parsed.name}) has exited (zombie, not yet reaped)` };
  return { kind: 'running', process: { pid, ...parsed, argv: cmdline.ok ? parseCmdline(cmdline.content) : [] } };
}

export function processById(pid: number) {
  return defineFact<ProcessLookup>(`process:${pid}`, ({ host }) => readProcess(host, pid));
}

export type PidFileRead =
  | { kind: 'pid'; path: string; pid: number }
  | { kind: 'missing'; path: string; reason: string }
  | { kind: 'unreadable'; path: string; reason: string };

export function pidFile(path: string) {
  return defineFact<PidFileRead>(`pidfile:${path}`, async ({ host }) => {
    const file = await host.readFile(path);
    if (!file.ok) {
      const reason = describeError(path, file.error);
      return file.error.code === 'ENOENT' ? { kind: 'missing', path, reason } : { kind: 'unreadable', path, reason };
    }
    const pid = parsePidFile(file.content);
    if (pid === undefined)
      return { kind: 'missing', path, reason: `${path} holds no process id ("${file.content.trim()}")` };
    return { kind: 'pid', path, pid };
  });
}

/** The live processes whose comm is this name, found by listing /proc: for daemons without a trustworthy pid file. */
export function processesNamed(name: string) {
  return defineFact<{ ok: true; processes: ProcessInfo[] } | { ok: false; reason: string }>(
    `processes-named:${name}`,
    async (facts) => {
      const listing = await facts.host.readDir('/proc');
      if (!listing.ok) return { ok: false, reason: describeError('/proc', listing.error) };
      const pids = listing.entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
      const comms = await Promise.all(pids.map((pid) => facts.host.readFile(`/proc/${pid}/comm`)));
      const matching = pids.filter((_, index) => {
        const comm = comms[index];
        return comm?.ok === true && comm.content.trim() === name;
      });
      const lookups = await Promise.all(matching.map((pid) => facts.get(processById(pid))));
      return { ok: true, processes: lookups.flatMap((lookup) => (lookup.kind === 'running' ? [lookup.process] : [])) };
    },
  );
}

export const CAP_NET_RAW_BIT = 13n;

export interface ProcessStatus {
  /** Effective capability set. */
  capEff: bigint;
  effectiveGid: number;
  groups: number[];
  /** The lines read, for evidence. */
  excerpt: string;
}

/** The `Key: value` lines of /proc/<pid>/status. */
function statusFields(content: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of content.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

export function parseProcessStatus(content: string): ProcessStatus {
  const fields = statusFields(content);
  const capEff = fields.get('CapEff');
  const gid = fields.get('Gid');
  if (capEff === undefined || gid === undefined) throw new Error('no CapEff or Gid line');
  const groups = (fields.get('Groups') ?? '')
    .split(/\s+/)
    .filter((item) => item !== '')
    .map(Number);
  return {
    capEff: BigInt(`0x${capEff}`),
    effectiveGid: Number(gid.split(/\s+/)[1] ?? gid.split(/\s+/)[0]),
    groups,
    excerpt: `CapEff: ${capEff}; Gid: ${gid}; Groups: ${groups.join(' ')}`,
  };
}

export function parseRange(raw: string): { low: number; high: number } | undefined {
  const [low, high] = raw.trim().split(/\s+/).map(Number);
  return low === undefined || high === undefined || Number.isNaN(low) || Number.isNaN(high) ? undefined : { low, high };
}

/**
 * Rootless containers are seen through the user's namespace, so their ids and sysctls are read through `podman
 * unshare`.
 */
function inContainerView(scope: Scope, argv: string[]): string[] {
  return scope === 'rootless' ? ['podman', 'unshare', ...argv] : argv;
}

export function processStatus(pid: number, scope: Scope) {
  return defineFact<Readable<ProcessStatus>>(`process-status:${scope}:${pid}`, async ({ host }) => {
    let content: string;
    let source: string;
    if (scope === 'rootful') {
      const file = await host.readFile(`/proc/${pid}/status`);
      if (!file.ok) return { ok: false, code: file.error.code, reason: describeError(file.path, file.error) };
      content = file.content;
      source = file.path;
    } else {
      const result = await host.run(inContainerView(scope, ['cat', `/proc/${pid}/status`]));
      if (result.exitCode !== 0)
        return {
          ok: false,
          code: 'ECOMMAND',
          reason: `\`${shellLine(result.argv)}\` failed: ${result.error?.message ?? result.stderr.trim()}`,
        };
      content = result.stdout;
      source = shellLine(result.argv);
    }
    try {
      return { ok: true, value: parseProcessStatus(content) };
    } catch (error) {
      return { ok: false, code: 'EPARSE', reason: `${source}: ${(error as Error).message}` };
    }
  });
}

export interface NetnsSysctl {
  raw: string;
  command: string;
}

/**
 * A sysctl of a container's network namespace: /proc/sys/net always shows the reader's namespace, so read it from
 * inside.
 */
export function containerNetnsSysctl(pid: number, scope: Scope, path: string) {
  return defineFact<Readable<NetnsSysctl>>(`netns-sysctl:${scope}:${pid}:${path}`, async ({ host }) => {
    const result = await host.run(inContainerView(scope, ['nsenter', `--target=${pid}`, '--net', 'cat', path]));
    const command = shellLine(result.argv);
    if (result.exitCode !== 0) {
      return {
        ok: false,
        code: 'ECOMMAND',
        reason: `\`${command}\` failed: ${result.error?.message ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
      };
    }
    return { ok: true, value: { raw: result.stdout.trim().replace(/\s+/g, ' '), command } };
  });
}

/** `sysctl -a` limited to the reverse-path filter of every interface. */
export const RP_FILTER_PATTERN = '^net\\.ipv4\\.conf\\..*\\.rp_filter$';

/** `net.ipv4.conf.<interface>.rp_filter = N` lines, by interface (all and default included). */
export function parseRpFilters(stdout: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^net\.ipv4\.conf\.(.+)\.rp_filter\s*=\s*(\d+)\s*$/.exec(line.trim());
    if (match !== null) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

/** The reverse-path filter settings inside a container's network namespace, all interfaces in one command. */
export function containerRpFilters(pid: number, scope: Scope) {
  return defineFact<Readable<{ values: Map<string, number>; command: string; excerpt: string }>>(
    `netns-rp-filter:${scope}:${pid}`,
    async ({ host }) => {
      const result = await host.run(
        inContainerView(scope, ['nsenter', `--target=${pid}`, '--net', 'sysctl', '--pattern', RP_FILTER_PATTERN, '-a']),
      );
      const command = shellLine(result.argv);
      if (result.exitCode !== 0)
        return {
          ok: false,
          code: 'ECOMMAND',
          reason: `\`${command}\` failed: ${result.error?.message ?? (result.stderr.trim() || `exit ${result.exitCode}`)}`,
        };
      const values = parseRpFilters(result.stdout);
      if (values.size === 0) return { ok: false, code: 'EPARSE', reason: `\`${command}\` printed no rp_filter value` };
      return { ok: true, value: { values, command, excerpt: result.stdout.trim() } };
    },
  );
}

/**
 * Reads one file of many network namespaces in one process, each namespace once: it enters each with setns(2)
 * and reads the file, printing `PID <tab> net:[INODE] <tab> ok|error <tab> value or error`. util-linux has no tool
 * that enters more than one namespace, and Debian's perl-base is always there. The program is this constant: the
 * path and the pids are its arguments. It knows the setns number of x86_64 and aarch64 only; elsewhere it exits 1.
 */
const NETNS_READER = [
  'use strict; use Config;',
  'my %setns = (x86_64 => 308, aarch64 => 268);',
  'my ($arch) = split /-/, $Config{archname};',
  'my $nr = $setns{$arch} or die "no setns number known for $arch\\n";',
  'my ($path, @pids) = @ARGV; my %read;',
  'for my $pid (@pids) {',
  '  my $ns;',
  '  if (!open $ns, "<", "/proc/$pid/ns/net") { print "$pid\\t-\\terror\\t/proc/$pid/ns/net: $!\\n"; next }',
  "  my $id = 'net:[' . (stat $ns)[1] . ']';",
  '  if (!exists $read{$id}) {',
  '    if (syscall($nr, fileno($ns), 0x40000000) != 0) { $read{$id} = "error\\tsetns: $!" }',
  '    elsif (open my $file, "<", $path) {',
  '      local $/; my $value = <$file> // ""; $value =~ s/^\\s+|\\s+$//g; $value =~ s/\\s+/ /g;',
  '      $read{$id} = "ok\\t$value";',
  '    } else { $read{$id} = "error\\t$path: $!" }',
  '  }',
  '  print "$pid\\t$id\\t$read{$id}\\n";',
  '}',
].join('\n');

/**
 * A one-process read, or undefined where a replayed snapshot was recorded before netdoctor read that way: the
 * per-process reads it holds answer instead.
 */
async function runUnlessNotRecorded(host: Host, argv: readonly string[]): Promise<CommandResult | undefined> {
  try {
    return await host.run(argv);
  } catch (error) {
    if (error instanceof NotRecordedError) return undefined;
    throw error;
  }
}

/** The command that reads `path` in the network namespaces of these pids (sorted, distinct), for this scope. */
export function netnsReaderArgv(scope: Scope, path: string, pids: readonly number[]): string[] {
  return inContainerView(scope, ['perl', '-e', NETNS_READER, '--', path, ...pids.map(String)]);
}

/** The command that prints the status lines of these rootless pids (sorted, distinct), each line with its file. */
export function statusesArgv(scope: Scope, pids: readonly number[]): string[] {
  return inContainerView(scope, ['grep', '-H', '-e', '', '--', ...pids.map((pid) => `/proc/${pid}/status`)]);
}

/** The namespace reader's lines by pid; undefined when a line is not of its form. */
export function parseNetnsReader(stdout: string, path: string): Map<number, Readable<NetnsSysctl>> | undefined {
  const read = new Map<number, Readable<NetnsSysctl>>();
  for (const line of stdout.split('\n').filter((text) => text !== '')) {
    const match = /^(\d+)\t(net:\[\d+\]|-)\t(ok|error)\t(.*)$/.exec(line);
    if (match === null) return undefined;
    const [, pid, namespace, status, text] = match as unknown as [string, string, string, string, string];
    read.set(
      Number(pid),
      status === 'ok'
        ? { ok: true, value: { raw: text, command: `${path} in ${namespace}, the network namespace of pid ${pid}` } }
        : { ok: false, code: 'ECOMMAND', reason: `${path} of pid ${pid}: ${text}` },
    );
  }
  return read;
}

/**
 * A sysctl of many containers' network namespaces, in one process for all of them (the reader above, through
 * `podman unshare` for rootless ones), each namespace read once; where the reader cannot run, one nsenter each.
 */
export function containerNetnsSysctls(pids: readonly number[], scope: Scope, path: string) {
  const sorted = [...new Set(pids)].sort((left, right) => left - right);
  return defineFact<Map<number, Readable<NetnsSysctl>>>(
    `netns-sysctls:${scope}:${path}:${sorted.join(',')}`,
    async (facts) => {
      if (sorted.length === 0) return new Map();
      const result = await runUnlessNotRecorded(facts.host, netnsReaderArgv(scope, path, sorted));
      const read = result?.exitCode === 0 ? parseNetnsReader(result.stdout, path) : undefined;
      if (read !== undefined && sorted.every((pid) => read.has(pid))) return read;
      const each = await Promise.all(sorted.map((pid) => facts.get(containerNetnsSysctl(pid, scope, path))));
      return new Map(sorted.map((pid, index) => [pid, each[index]!]));
    },
  );
}

/**
 * The systemd service a process belongs to, from its cgroup path (`0::/system.slice/nginx.service` with cgroup v2,
 * `1:name=systemd:/system.slice/nginx.service` with v1); undefined outside a .service (a login session, a scope).
 */
export function parseServiceUnit(cgroup: string): string | undefined {
  for (const line of cgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined || (controllers !== '' && controllers !== 'name=systemd')) continue;
    const unit = path.split('/').find((part) => part.endsWith('.service'));
    if (unit !== undefined && !/^user@\d+\.service$/.test(unit)) return unit;
  }
  return undefined;
}

export function processServiceUnit(pid: number) {
  return defineFact<string | undefined>(`process-unit:${pid}`, async ({ host }) => {
    const file = await host.readFile(`/proc/${pid}/cgroup`);
    return file.ok ? parseServiceUnit(file.content) : undefined;
  });
}

/** `grep -H` lines (`/proc/PID/status:Key:\tvalue`) back into each process's status text. */
export function splitStatusLines(stdout: string): Map<number, string> {
  const texts = new Map<number, string[]>();
  for (const line of stdout.split('\n')) {
    const match = /^\/proc\/(\d+)\/status:(.*)$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    texts.set(pid, [...(texts.get(pid) ?? []), match[2]!]);
  }
  return new Map([...texts].map(([pid, lines]) => [pid, lines.join('\n')]));
}

/**
 * The status of many processes: rootful ones are files; rootless ones are read in the user's namespace, all in
 * one `podman unshare grep`, or one `podman unshare cat` each where that cannot run.
 */
export function processStatuses(pids: readonly number[], scope: Scope) {
  const sorted = [...new Set(pids)].sort((left, right) => left - right);
  return defineFact<Map<number, Readable<ProcessStatus>>>(
    `process-statuses:${scope}:${sorted.join(',')}`,
    async (facts) => {
      const each = async () => {
        const statuses = await Promise.all(sorted.map((pid) => facts.get(processStatus(pid, scope))));
        return new Map(sorted.map((pid, index) => [pid, statuses[index]!]));
      };
      if (scope === 'rootful' || sorted.length === 0) return each();
      const result = await runUnlessNotRecorded(facts.host, statusesArgv(scope, sorted));
      if (result === undefined || result.error !== undefined || (result.exitCode !== 0 && result.exitCode !== 2))
        return each();
      const command = shellLine(result.argv);
      const texts = splitStatusLines(result.stdout);
      return new Map(
        sorted.map((pid): [number, Readable<ProcessStatus>] => {
          const text = texts.get(pid);
          if (text === undefined) {
            const why = result.stderr.split('\n').find((line) => line.includes(`/proc/${pid}/status`));
            return [pid, { ok: false, code: 'ECOMMAND', reason: `\`${command}\`: ${why?.trim() ?? 'no lines'}` }];
          }
          try {
            return [pid, { ok: true, value: parseProcessStatus(text) }];
          } catch (error) {
            return [pid, { ok: false, code: 'EPARSE', reason: `/proc/${pid}/status: ${(error as Error).message}` }];
          }
        }),
      );
    },
  );
}
