import { SEVERITIES, type Check, type CheckContext, type CheckOutcome, type CheckResult, type CheckStatus, type Finding } from './types.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface RunOptions {
  timeoutMs?: number;
  /** Called when a check finishes, for progress display. */
  onResult?: (result: CheckResult, done: number, total: number) => void;
}

class CheckTimeout extends Error {}

function statusOf(findings: Finding[]): CheckStatus {
  if (findings.some((item) => item.severity === 'error')) return 'fail';
  if (findings.some((item) => item.severity === 'warning')) return 'warn';
  return 'pass';
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const FINDING_ID = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;

/** What is wrong with a finding a check returned (plug-ins build theirs by hand), or undefined. */
export function findingProblem(item: Finding): string | undefined {
  if (typeof item !== 'object' || item === null) return 'a finding is not an object';
  if (typeof item.id !== 'string' || !FINDING_ID.test(item.id)) return `finding id ${String(item.id)} is not of the form area.condition`;
  if (!SEVERITIES.includes(item.severity)) return `finding ${item.id} has severity ${String(item.severity)}`;
  if (typeof item.title !== 'string' || typeof item.explanation !== 'string' || typeof item.docs !== 'string') return `finding ${item.id} needs title, explanation and docs`;
  if (!Array.isArray(item.evidence) || typeof item.subject !== 'object' || item.subject === null) return `finding ${item.id} needs evidence and a subject`;
  if (typeof item.fix !== 'object' || item.fix === null || !Array.isArray(item.fix.commands)) return `finding ${item.id} needs fix.summary and fix.commands`;
  return undefined;
}

/** Turns what a check returned, threw or failed to return in time into a result: the run always goes on. */
export async function runCheck(check: Check & { source?: string }, context: CheckContext, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const base = check.source === undefined ? { id: check.id, title: check.title } : { id: check.id, title: check.title, source: check.source };
  let outcome: CheckOutcome;
  try {
    outcome = await withTimeout(Promise.resolve().then(() => check.run(context)), timeoutMs);
  } catch (error) {
    const reason = error instanceof CheckTimeout ? error.message : `the check crashed: ${error instanceof Error ? error.message : String(error)}`;
    return { ...base, status: 'error', reason, durationMs: Math.round(performance.now() - started), findings: [] };
  }
  const durationMs = Math.round(performance.now() - started);
  if (typeof outcome !== 'object' || outcome === null || (!('skip' in outcome) && !Array.isArray(outcome.findings))) {
    return { ...base, status: 'error', reason: 'the check returned neither findings nor a skip', durationMs, findings: [] };
  }
  if ('skip' in outcome) return { ...base, status: 'skip', skip: outcome.skip, reason: outcome.reason, durationMs, findings: [] };
  const problem = outcome.findings.map(findingProblem).find((text) => text !== undefined);
  if (problem !== undefined) return { ...base, status: 'error', reason: problem, durationMs, findings: [] };
  const unexpected = outcome.findings.find((item) => !check.findings.includes(item.id));
  if (unexpected !== undefined) {
    return { ...base, status: 'error', reason: `the check reported ${unexpected.id}, which it does not declare`, durationMs, findings: [] };
  }
  const result: CheckResult = { ...base, status: statusOf(outcome.findings), durationMs, findings: outcome.findings };
  if (outcome.summary !== undefined) result.summary = outcome.summary;
  if (outcome.reason !== undefined) result.reason = outcome.reason;
  return result;
}

/** Runs every check concurrently; results keep the order of the checks. */
export async function runChecks(checks: readonly Check[], context: CheckContext, options: RunOptions = {}): Promise<CheckResult[]> {
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
