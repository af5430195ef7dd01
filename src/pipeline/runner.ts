import {
  SEVERITIES,
  type CheckResult,
  type Evidence,
  type Finding,
  type SkipKind,
  type Subject,
} from '../core/types.js';
import type { Check, CheckContext, CheckOutcome } from '../core/check.js';
import { NotRecordedError } from '../core/host.js';
import { statusOf } from '../core/outcome.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface RunOptions {
  timeoutMs?: number;
  /** Called when a check finishes, for progress display. */
  onResult?: (result: CheckResult, done: number, total: number) => void;
}

class CheckTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const FINDING_ID = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
const SKIP_KINDS: readonly SkipKind[] = ['not_applicable', 'cannot_decide'];
// Plug-ins build findings by hand: whatever is not checked here would reach the report and break its schema.
const FINDING_FIELDS = ['id', 'severity', 'title', 'explanation', 'subject', 'evidence', 'fix', 'docs'];
const EVIDENCE_SOURCES: readonly Evidence['source'][] = ['command', 'file', 'directory', 'stat', 'process'];
const SUBJECT_FIELDS: Record<keyof Subject, (value: unknown) => boolean> = {
  engine: (value) => value === 'docker' || value === 'podman',
  scope: (value) => value === 'rootful' || value === 'rootless',
  user: isText,
  network: isText,
  containers: (value) => Array.isArray(value) && value.every(isText),
  namespaces: (value) => Array.isArray(value) && value.every(isText),
  interface: isText,
  path: isText,
};

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(value: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !known.includes(key));
}

function isEvidence(value: unknown): boolean {
  return (
    isRecord(value) &&
    unknownFields(value, ['source', 'what', 'excerpt']).length === 0 &&
    EVIDENCE_SOURCES.includes(value.source as Evidence['source']) &&
    isText(value.what) &&
    isText(value.excerpt)
  );
}

function isFix(value: unknown): boolean {
  return (
    isRecord(value) &&
    unknownFields(value, ['summary', 'commands']).length === 0 &&
    isText(value.summary) &&
    Array.isArray(value.commands) &&
    value.commands.every(isText)
  );
}

function subjectProblem(id: string, subject: Record<string, unknown>): string | undefined {
  const unknown = unknownFields(subject, Object.keys(SUBJECT_FIELDS));
  if (unknown.length > 0) return `finding ${id} has unknown subject fields: ${unknown.join(', ')}`;
  const wrong = Object.entries(subject).filter(
    ([key, value]) => value !== undefined && !SUBJECT_FIELDS[key as keyof Subject](value),
  );
  if (wrong.length > 0)
    return `finding ${id} has subject fields of the wrong type: ${wrong.map(([key]) => key).join(', ')}`;
  return undefined;
}

/** What is wrong with a finding a check returned (plug-ins build theirs by hand), or undefined. */
export function findingProblem(item: Finding): string | undefined {
  if (!isRecord(item)) return 'a finding is not an object';
  if (typeof item.id !== 'string' || !FINDING_ID.test(item.id))
    return `finding id ${String(item.id)} is not of the form area.condition`;
  const unknown = unknownFields(item, FINDING_FIELDS);
  if (unknown.length > 0) return `finding ${item.id} has unknown fields: ${unknown.join(', ')}`;
  if (!SEVERITIES.includes(item.severity)) return `finding ${item.id} has severity ${String(item.severity)}`;
  if (!isText(item.title) || !isText(item.explanation) || !isText(item.docs))
    return `finding ${item.id} needs title, explanation and docs`;
  if (!Array.isArray(item.evidence) || !isRecord(item.subject))
    return `finding ${item.id} needs evidence and a subject`;
  const problem = subjectProblem(item.id, item.subject as Record<string, unknown>);
  if (problem !== undefined) return problem;
  if (!item.evidence.every(isEvidence)) {
    return `finding ${item.id} has evidence that is not {source, what, excerpt} with source ${EVIDENCE_SOURCES.slice(0, -1).join(', ')} or ${EVIDENCE_SOURCES.at(-1)}`;
  }
  if (!isFix(item.fix)) return `finding ${item.id} needs fix.summary and fix.commands`;
  return undefined;
}

/** What is wrong with the shape of a check's outcome, or undefined; findings are checked one by one after. */
function outcomeProblem(outcome: CheckOutcome): string | undefined {
  if (!isRecord(outcome) || (!('skip' in outcome) && !Array.isArray(outcome.findings)))
    return 'the check returned neither findings nor a skip';
  if ('skip' in outcome) {
    if (!SKIP_KINDS.includes(outcome.skip))
      return `the check skipped with kind ${String(outcome.skip)}; the kinds are ${SKIP_KINDS.join(' and ')}`;
    if (!isText(outcome.reason) || outcome.reason === '') return 'the check skipped without a reason';
    return undefined;
  }
  if (
    (outcome.summary !== undefined && !isText(outcome.summary)) ||
    (outcome.reason !== undefined && !isText(outcome.reason))
  ) {
    return 'the check returned a summary or reason that is not text';
  }
  return undefined;
}

/** Turns what a check returned, threw or failed to return in time into a result: the run always goes on. */
export async function runCheck<Context extends CheckContext>(
  check: Check<Context> & { source?: string },
  context: Context,
  timeoutMs: number,
): Promise<CheckResult> {
  const started = performance.now();
  const base =
    check.source === undefined
      ? { id: check.id, title: check.title }
      : { id: check.id, title: check.title, source: check.source };
  let outcome: CheckOutcome;
  try {
    outcome = await withTimeout(
      Promise.resolve().then(() => check.run(context)),
      timeoutMs,
    );
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    if (error instanceof NotRecordedError)
      return { ...base, status: 'skip', skip: 'cannot_decide', reason: error.message, durationMs, findings: [] };
    const reason =
      error instanceof CheckTimeout
        ? error.message
        : `the check crashed: ${error instanceof Error ? error.message : String(error)}`;
    return { ...base, status: 'error', reason, durationMs, findings: [] };
  }
  const durationMs = Math.round(performance.now() - started);
  const shape = outcomeProblem(outcome);
  if (shape !== undefined) return { ...base, status: 'error', reason: shape, durationMs, findings: [] };
  if ('skip' in outcome)
    return { ...base, status: 'skip', skip: outcome.skip, reason: outcome.reason, durationMs, findings: [] };
  const problem = outcome.findings.map(findingProblem).find((text) => text !== undefined);
  if (problem !== undefined) return { ...base, status: 'error', reason: problem, durationMs, findings: [] };
  const unexpected = outcome.findings.find((item) => !Object.hasOwn(check.findings, item.id));
  if (unexpected !== undefined) {
    return {
      ...base,
      status: 'error',
      reason: `the check reported ${unexpected.id}, which it does not declare`,
      durationMs,
      findings: [],
    };
  }
  const result: CheckResult = { ...base, status: statusOf(outcome.findings), durationMs, findings: outcome.findings };
  if (outcome.summary !== undefined) result.summary = outcome.summary;
  if (outcome.reason !== undefined) result.reason = outcome.reason;
  return result;
}

/** Runs every check concurrently; results keep the order of the checks. */
export async function runChecks<Context extends CheckContext>(
  checks: readonly Check<Context>[],
  context: Context,
  options: RunOptions = {},
): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  let done = 0;
  return Promise.all(
    checks.map(async (check) => {
      const result = await runCheck(check, context, timeoutMs);
      done += 1;
      options.onResult?.(result, done, checks.length);
      return result;
    }),
  );
}
