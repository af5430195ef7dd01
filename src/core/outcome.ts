import type { NoValue } from './facts.js';
import type { CheckOutcome } from './check.js';
import type { CheckStatus, Finding } from './types.js';

export function notApplicable(reason: string): CheckOutcome {
  return { skip: 'not_applicable', reason };
}

export function cannotDecide(reason: string): CheckOutcome {
  return { skip: 'cannot_decide', reason };
}

/** Findings of a check (none means it passed), what it verified, and what limited it. */
export function verdict(findings: Finding[], summary: string, limits: string[] = []): CheckOutcome {
  const outcome: CheckOutcome = { findings, summary };
  if (limits.length > 0) outcome.reason = `not everything could be read: ${limits.join('; ')}`;
  return outcome;
}

/** A check that depends on a fact without a value: it does not apply, or it cannot decide, for the fact's reason. */
export function skipFor(missing: NoValue): CheckOutcome {
  return missing.absent === 'not_applicable' ? notApplicable(missing.reason) : cannotDecide(missing.reason);
}

/** A check's status from its findings: fail on an error, warn on a warning, pass otherwise. */
export function statusOf(findings: Finding[]): CheckStatus {
  if (findings.some((item) => item.severity === 'error')) return 'fail';
  if (findings.some((item) => item.severity === 'warning')) return 'warn';
  return 'pass';
}
