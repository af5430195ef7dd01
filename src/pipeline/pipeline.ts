import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { Facts, type FactDefinition } from '../core/facts.js';
import { WARM_UP, startFacts } from './foundation.js';
import type { Host } from '../core/host.js';
import type { PairSection } from '../core/pair.js';
import type { CheckResult, EngineSummary } from '../core/types.js';
import type { Report } from '../core/report.js';
import { LiveHost } from '../host/live.js';
import { RecordingHost } from '../host/recording.js';
import { ReplayHost } from '../host/replay.js';
import { scrubSnapshot } from '../host/scrub.js';
import { SnapshotError, loadSnapshotValidator, parseSnapshot, type Snapshot } from '../host/snapshot.js';
import { TOOL } from '../core/tool.js';
import { boundReport } from './bounds.js';
import { redactorFor } from './redact.js';
import { buildReport } from './report.js';

/** The live host, or the snapshot to replay; an unreadable or invalid snapshot is a usage error. */
export async function openHost(replay: string | undefined, commandTimeoutMs: number): Promise<Host> {
  if (replay === undefined) return new LiveHost({ commandTimeoutMs });
  let text: string;
  try {
    text = await readFile(replay, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the replay file: ${(error as Error).message}`);
  }
  try {
    return new ReplayHost(parseSnapshot(text, replay, await loadSnapshotValidator()));
  } catch (error) {
    if (error instanceof SnapshotError) throw new UsageError(error.message);
    throw error;
  }
}

export interface PipelineOptions {
  /** A snapshot file to diagnose instead of this host. */
  replay?: string;
  /** Keep everything the run read, for a snapshot (without secrets: src/host/scrub.ts). */
  record: boolean;
  /** Replace the host's name, users, MACs and addresses with pseudonyms in the report and the snapshot. */
  redact?: boolean;
  commandTimeoutMs: number;
  /** Start at once, before any check asks, the facts a whole diagnosis or `why` builds on (see WARM_UP). */
  warmUp?: keyof typeof WARM_UP;
}

/** What a run of checks gives: the results, and for `why` the pair section. */
export interface Diagnosis {
  checks: CheckResult[];
  pair?: PairSection;
  /** How the header names the engines, when not as `podman info` and `docker info` tell (engineSummaries). */
  engines?: FactDefinition<EngineSummary[]>;
}

export interface PipelineResult {
  report: Report;
  /** When recording was asked for. */
  snapshot?: Snapshot;
}

/** The host of one run behind its recording session (each command at most once), and the facts read from it. */
export interface Session {
  host: RecordingHost;
  facts: Facts;
  startedAt: Date;
  /** performance.now() when the session opened: the report's duration counts from there. */
  started: number;
}

/**
 * Opens the host (or takes the one given) and, unless it replays a snapshot, starts the facts of the warm-up,
 * whose commands then run while the caller loads the checks: the CLI opens the session before it imports them, so
 * that `podman info`, a diagnosis' longest command, starts as early as it can.
 */
export async function openSession(options: PipelineOptions, inner?: Host): Promise<Session> {
  const startedAt = new Date();
  const started = performance.now();
  const opened = inner ?? (await openHost(options.replay, options.commandTimeoutMs));
  const host = new RecordingHost(opened);
  const facts = new Facts(host);
  // A replay answers at once, so nothing would overlap; and started while the checks load, which rejection comes
  // first (a check gives the first as its reason) would depend on how the build loads its modules.
  if (options.warmUp !== undefined && !(opened instanceof ReplayHost)) startFacts(facts, WARM_UP[options.warmUp]);
  return { host, facts, startedAt, started };
}

/**
 * The one way a diagnosis runs, for the host report and for `why` alike: session -> the caller's checks -> report
 * -> snapshot. The session is opened here unless the caller opened it already (openSession).
 */
export async function runPipeline(
  options: PipelineOptions,
  diagnose: (session: Pick<Session, 'host' | 'facts'>) => Promise<Diagnosis>,
  opened?: Session,
): Promise<PipelineResult> {
  const { host, facts, startedAt, started } = opened ?? (await openSession(options));
  const diagnosis = await diagnose({ host, facts });
  const durationMs = Math.round(performance.now() - started);
  const report = await buildReport(facts, diagnosis.checks, startedAt, durationMs, {
    replayedFrom: options.replay,
    engines: diagnosis.engines,
  });
  if (diagnosis.pair !== undefined) report.pair = diagnosis.pair;
  // The redactor reads the container networks: before the snapshot is taken, so that a replay reads them too.
  const redactor = options.redact === true ? await redactorFor(facts, usersNamedIn(report)) : undefined;
  const snapshot = options.record ? scrubSnapshot(await host.snapshot(TOOL, startedAt)) : undefined;
  // Bounded after redaction, so that a cut never leaves part of an address the redactor would not recognise.
  const final = boundReport(redactor === undefined ? report : redactor.value(report));
  if (snapshot === undefined) return { report: final };
  return { report: final, snapshot: redactor === undefined ? snapshot : redactor.value(snapshot) };
}

/** Users the report names: owners of rootless engines in findings and the two containers of `why`. */
function usersNamedIn(report: Report): string[] {
  const users = report.findings.map((item) => item.subject.user);
  if (report.pair !== undefined) users.push(report.pair.a.user, report.pair.b.user);
  return users.filter((user) => user !== undefined);
}
