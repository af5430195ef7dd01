/** Running the probes of `why` in a network namespace, and logging each for the report. */
import { commandEvidence } from '../facts/docker.js';
import type { Host } from '../core/host.js';
import { type CommandResult } from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { Evidence } from '../core/types.js';
import type { ProbeKind, ProbeRecord } from '../core/pair.js';
import {
  LISTENING_ARGV,
  PROBE_RUN_TIMEOUT_MS,
  connectArgv,
  inNetworkNamespace,
  interpretConnect,
  interpretPing,
  isEngineSocket,
  listenState,
  parseListening,
  pingArgv,
  probeFailure,
  type IcmpOutcome,
  type ListenState,
  type ListeningSocket,
  type Namespace,
  type TcpOutcome,
} from './probes.js';

export interface PortResult {
  port: number;
  outcome: TcpOutcome;
  detail: string;
  /** What B's sockets say about this port; undefined when they could not be read. */
  listen?: { state: ListenState; on: string[] };
  evidence: Evidence[];
}

export interface IcmpResult {
  outcome: IcmpOutcome;
  detail: string;
  evidence: Evidence[];
}

/** More listening ports than this are not all probed: the command must stay under 5 s. */
const MAX_PROBED_PORTS = 8;

/** Every probe that ran, in the order they finished, for the report's `pair.probes`. */
export type ProbeLog = ProbeRecord[];

export function logProbe(
  log: ProbeLog,
  kind: ProbeKind,
  target: string,
  outcome: string,
  detail: string,
  result: CommandResult,
): void {
  log.push({ kind, target, outcome, detail, command: shellLine(result.argv), durationMs: result.durationMs });
}

export interface Listening {
  sockets?: ListeningSocket[];
  unknown?: string;
  evidence?: Evidence;
}

/** The TCP sockets that listen in B's namespace (or, for undefined, on the host itself). */
export async function readListening(
  host: Host,
  namespace: Namespace | undefined,
  name: string,
  log: ProbeLog,
): Promise<Listening> {
  const argv = namespace === undefined ? LISTENING_ARGV : inNetworkNamespace(namespace, LISTENING_ARGV);
  const result = await host.run(argv, { timeoutMs: PROBE_RUN_TIMEOUT_MS });
  const failure =
    probeFailure(result) ??
    (result.exitCode !== 0 ? `exit ${result.exitCode ?? 'none'}: ${result.stderr.trim()}` : undefined);
  if (failure !== undefined) {
    logProbe(log, 'listening', name, 'error', failure, result);
    return {
      unknown: `${name}'s listening sockets could not be read: ${failure}`,
      evidence: commandEvidence(result),
    };
  }
  const sockets = parseListening(result.stdout);
  const shown = sockets.filter((socket) => !isEngineSocket(socket)).map((socket) => `${socket.address}:${socket.port}`);
  const excerpt =
    shown.length === 0 ? `nothing listens on TCP in ${name}` : `listening in ${name}: ${shown.join(', ')}`;
  logProbe(log, 'listening', name, shown.length === 0 ? 'nothing' : 'listening', excerpt, result);
  return { sockets, evidence: commandEvidence(result, excerpt) };
}

export function portsToProbe(requested: number[], listening: Listening): number[] {
  if (requested.length > 0) return requested;
  const ports = (listening.sockets ?? []).filter((socket) => !isEngineSocket(socket)).map((socket) => socket.port);
  return [...new Set(ports)].sort((left, right) => left - right).slice(0, MAX_PROBED_PORTS);
}

export async function probePort(
  host: Host,
  from: Namespace,
  busybox: string,
  target: string,
  port: number,
  listening: Listening,
  log: ProbeLog,
): Promise<PortResult> {
  const result = await host.run(inNetworkNamespace(from, connectArgv(busybox, target, port)), {
    timeoutMs: PROBE_RUN_TIMEOUT_MS,
  });
  const { outcome, detail } = interpretConnect(result);
  logProbe(log, 'tcp', `${target}:${port}`, outcome, detail, result);
  const evidence: Evidence[] = [commandEvidence(result, `${outcome}: ${detail}`)];
  const probed: PortResult = { port, outcome, detail, evidence };
  if (listening.sockets !== undefined) {
    probed.listen = listenState(listening.sockets, port, target);
    if (listening.evidence !== undefined) evidence.push(listening.evidence);
  }
  return probed;
}

export async function probeIcmp(
  host: Host,
  from: Namespace,
  busybox: string,
  target: string,
  log: ProbeLog,
): Promise<IcmpResult> {
  const result = await host.run(inNetworkNamespace(from, pingArgv(busybox, target)), {
    timeoutMs: PROBE_RUN_TIMEOUT_MS,
  });
  const { outcome, detail } = interpretPing(result);
  logProbe(log, 'icmp', target, outcome, detail, result);
  return { outcome, detail, evidence: [commandEvidence(result, `${outcome}: ${detail}`)] };
}
