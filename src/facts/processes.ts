import type { Host } from '../core/host.js';
import { defineFact } from '../core/facts.js';
import { describeError } from './files.js';

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
  const name = /^Name:\s*(.*)$/m.exec(content)?.[1];
  const state = /^State:\s*(\S)/m.exec(content)?.[1];
  return name === undefined || state === undefined ? undefined : { name: name.trim(), state };
}

export function parseCmdline(content: string): string[] {
  return content.split('\0').filter((arg, index, all) => arg !== '' || index < all.length - 1);
}

export function parsePidFile(content: string): number | undefined {
  const text = content.trim();
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

async function readProcess(host: Host, pid: number): Promise<ProcessLookup> {
  const [status, cmdline] = await Promise.all([host.readFile(`/proc/${pid}/status`), host.readFile(`/proc/${pid}/cmdline`)]);
  if (!status.ok) {
    if (status.error.code === 'ENOENT') return { kind: 'gone', pid, reason: `no process ${pid} (${status.path} does not exist)` };
    return { kind: 'unreadable', pid, reason: describeError(status.path, status.error) };
  }
  const parsed = parseStatusNameState(status.content);
  if (parsed === undefined) return { kind: 'unreadable', pid, reason: `${status.path} has no Name: or State: line` };
  if (parsed.state === 'Z') return { kind: 'gone', pid, reason: `process ${pid} (${parsed.name}) has exited (zombie, not yet reaped)` };
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
    if (pid === undefined) return { kind: 'missing', path, reason: `${path} holds no process id ("${file.content.trim()}")` };
    return { kind: 'pid', path, pid };
  });
}

/** The live processes whose comm is this name, found by listing /proc: for daemons without a trustworthy pid file. */
export function processesNamed(name: string) {
  return defineFact<{ ok: true; processes: ProcessInfo[] } | { ok: false; reason: string }>(`processes-named:${name}`, async (facts) => {
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
  });
}
