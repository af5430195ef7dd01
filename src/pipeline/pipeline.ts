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

/**
 * The one way a diagnosis runs, for the host report and for `why` alike: host -> recording session (each command
 * at most once) -> facts -> the caller's checks -> report -> snapshot.
 */
export async function runPipeline(
  options: PipelineOptions,
  diagnose: (session: { host: RecordingHost; facts: Facts }) => Promise<Diagnosis>,
): Promise<PipelineResult> {
  const host = new RecordingHost(await openHost(options.replay, options.commandTimeoutMs));
  const facts = new Facts(host);
  if (options.warmUp !== undefined) startFacts(facts, WARM_UP[options.warmUp]);
  const startedAt = new Date();
  const started = performance.now();
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
