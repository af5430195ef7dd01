import { type CommandResult } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { Scope } from '../core/types.js';

/** What every probe waits for an answer, at most: the whole `why` must finish in under 5 s. */
export const PROBE_WAIT_SECONDS = 2;
/** The probe bounds itself; this only stops an nsenter or podman unshare that hangs. */
export const PROBE_RUN_TIMEOUT_MS = 3000;

/** The network namespace a probe enters: a container's, by its process, or a named one (`ip netns`). */
export type Namespace = ContainerNamespace | { netns: string };

/** A container's network namespace, entered through one of its processes. */
export interface ContainerNamespace {
  pid: number;
  scope: Scope;
}

/**
 * Runs a host binary inside a container's (or a named) network namespace and nothing else of it: the container
 * is not touched and needs no tool of its own. A rootless container's namespace belongs to the user's namespace,
 * which `podman unshare` enters first. Not `ip netns exec`, which also remounts /sys in a mount namespace of its own.
 */
export function inNetworkNamespace(namespace: Namespace, argv: readonly string[]): string[] {
  if ('netns' in namespace) return ['nsenter', `--net=/run/netns/${namespace.netns}`, ...argv];
  const enter = ['nsenter', `--target=${namespace.pid}`, '--net', ...argv];
  return namespace.scope === 'rootless' ? ['podman', 'unshare', ...enter] : enter;
}

export function pingArgv(busybox: string, address: string): string[] {
  return [busybox, 'ping', '-c', '1', '-W', String(PROBE_WAIT_SECONDS), address];
}

/** busybox nc exits as soon as stdin (never a terminal here) ends: a successful connect exits 0 at once. */
export function connectArgv(busybox: string, address: string, port: number): string[] {
  return [busybox, 'nc', '-w', String(PROBE_WAIT_SECONDS), address, String(port)];
}

/** An A query only, to one server: without a server or with AAAA, a lookup can fall through to the host's resolver. */
export function lookupArgv(busybox: string, name: string, server: string): string[] {
  return ['timeout', String(PROBE_WAIT_SECONDS), busybox, 'nslookup', '-type=a', name, server];
}

export const LISTENING_ARGV = ['ss', '-H', '-l', '-t', '-n'];

/** Why a probe could not run at all (as opposed to running and seeing a failure), or undefined. */
export function probeFailure(result: CommandResult): string | undefined {
  if (result.error && !result.timedOut) return `\`${shellLine(result.argv)}\`: ${result.error.message}`;
  const stderr = result.stderr.trim();
  const wrapper = stderr.split('\n').find((line) => /^(nsenter|Error|podman): /.test(line));
  if (wrapper !== undefined && result.exitCode !== 0) return `\`${shellLine(result.argv)}\` failed: ${wrapper}`;
  return undefined;
}

function output(result: CommandResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

export type IcmpOutcome = 'reply' | 'no_reply' | 'unreachable' | 'not_permitted' | 'error';

export function interpretPing(result: CommandResult): { outcome: IcmpOutcome; detail: string } {
  const failure = probeFailure(result);
  if (failure !== undefined) return { outcome: 'error', detail: failure };
  const text = output(result);
  if (/permission denied|operation not permitted/i.test(text)) {
    return {
      outcome: 'not_permitted',
      detail: 'ping may not open a raw ICMP socket here (no CAP_NET_RAW): this says nothing about the path',
    };
  }
  if (/network is unreachable|no route to host|host is unreachable/i.test(text))
    return { outcome: 'unreachable', detail: firstMatchingLine(text, /unreachable|no route/i) };
  const received = /(\d+) packets received/.exec(text);
  if (result.exitCode === 0 && received !== null && Number(received[1]) > 0)
    return { outcome: 'reply', detail: firstMatchingLine(text, /bytes from/) };
  if (result.timedOut || received !== null)
    return { outcome: 'no_reply', detail: `no echo reply within ${PROBE_WAIT_SECONDS} s` };
  return {
    outcome: 'error',
    detail: `ping exited ${result.exitCode ?? 'without a code'}: ${text.trim() || 'no output'}`,
  };
}

export type TcpOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'error';

export function interpretConnect(result: CommandResult): { outcome: TcpOutcome; detail: string } {
  const failure = probeFailure(result);
  if (failure !== undefined) return { outcome: 'error', detail: failure };
  const text = output(result);
  if (result.exitCode === 0) return { outcome: 'open', detail: 'the connection was accepted' };
  if (/connection refused/i.test(text))
    return { outcome: 'refused', detail: 'connection refused (a TCP reset or an ICMP port-unreachable came back)' };
  if (/no route to host|host is unreachable|network is unreachable/i.test(text))
    return { outcome: 'unreachable', detail: firstMatchingLine(text, /unreachable|no route/i) };
  if (result.timedOut || /timed out/i.test(text))
    return {
      outcome: 'timeout',
      detail: `no answer within ${PROBE_WAIT_SECONDS} s: the packets are dropped on the way`,
    };
  return {
    outcome: 'error',
    detail: `nc exited ${result.exitCode ?? 'without a code'}: ${text.trim() || 'no output'}`,
  };
}

export type DnsOutcome = 'resolved' | 'nxdomain' | 'refused' | 'no_answer' | 'failed' | 'error';

export function interpretLookup(result: CommandResult): { outcome: DnsOutcome; addresses: string[]; detail: string } {
  const failure = probeFailure(result);
  if (failure !== undefined) return { outcome: 'error', addresses: [], detail: failure };
  const text = output(result);
  const afterName = text.slice(Math.max(text.indexOf('\nName:'), 0));
  const addresses = text.includes('\nName:')
    ? [...afterName.matchAll(/^Address:\s*(\S+)/gm)].map((match) => match[1]!)
    : [];
  if (result.exitCode === 0 && addresses.length > 0)
    return { outcome: 'resolved', addresses, detail: `answered ${addresses.join(', ')}` };
  if (/NXDOMAIN/.test(text))
    return { outcome: 'nxdomain', addresses: [], detail: 'the server answered NXDOMAIN: it does not know the name' };
  // busybox retries a refused query until `timeout` ends it: the refusal, not the timeout, is what happened.
  if (/connection refused/i.test(text))
    return {
      outcome: 'refused',
      addresses: [],
      detail: 'nothing listens on port 53 there (connection refused): the DNS server does not run on that address',
    };
  if (result.timedOut || result.exitCode === 124 || /timed out|no servers could be reached/i.test(text)) {
    return { outcome: 'no_answer', addresses: [], detail: `the server did not answer within ${PROBE_WAIT_SECONDS} s` };
  }
  const cannotFind = /server can't find [^:]+: (\S+)/.exec(text);
  if (cannotFind !== null) return { outcome: 'failed', addresses: [], detail: `the server answered ${cannotFind[1]}` };
  return {
    outcome: 'error',
    addresses: [],
    detail: `nslookup exited ${result.exitCode ?? 'without a code'}: ${text.trim() || 'no output'}`,
  };
}

function firstMatchingLine(text: string, pattern: RegExp): string {
  return (
    text
      .split('\n')
      .find((line) => pattern.test(line))
      ?.trim() ?? text.trim()
  );
}

export interface ListeningSocket {
  /** `*`, 0.0.0.0 and :: are wildcards. */
  address: string;
  port: number;
}

/** `ss -H -l -t -n` lines: State Recv-Q Send-Q Local:Port Peer:Port. */
export function parseListening(stdout: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of stdout.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    if (local === undefined) continue;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port)) continue;
    const address = local
      .slice(0, colon)
      .replace(/^\[|\]$/g, '')
      .replace(/%.*$/, '');
    sockets.push({ address, port });
  }
  return sockets;
}

function isWildcard(address: string): boolean {
  return address === '*' || address === '0.0.0.0' || address === '::';
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address);
}

/**
 * Docker's embedded DNS listens on 127.0.0.11 inside every container of a user network: not a service of the container.
 */
export function isEngineSocket(socket: ListeningSocket): boolean {
  return socket.address === '127.0.0.11';
}

export type ListenState = 'reachable' | 'loopback_only' | 'other_address' | 'nothing';

/** Whether something listens on this port for connections to this address of B. */
export function listenState(
  sockets: ListeningSocket[],
  port: number,
  target: string,
): { state: ListenState; on: string[] } {
  const onPort = sockets.filter((socket) => socket.port === port && !isEngineSocket(socket));
  const on = onPort.map((socket) => `${socket.address.includes(':') ? `[${socket.address}]` : socket.address}:${port}`);
  if (onPort.length === 0) return { state: 'nothing', on };
  if (
    onPort.some(
      (socket) =>
        isWildcard(socket.address) || socket.address === target || (isLoopback(target) && isLoopback(socket.address)),
    )
  )
    return { state: 'reachable', on };
  if (onPort.every((socket) => isLoopback(socket.address))) return { state: 'loopback_only', on };
  return { state: 'other_address', on };
}

/** The address /etc/hosts gives a name, as the C library would find it (first line that lists it). */
export function hostsAddress(hosts: string, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const line of hosts.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address && names.some((candidate) => candidate.toLowerCase() === wanted)) return address;
  }
  return undefined;
}
