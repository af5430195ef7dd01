import type { Report } from '../core/report.js';
import type { Severity } from '../core/types.js';

export type FailOn = 'error' | 'warning' | 'never';

export const EXIT = { ok: 0, findings: 1, incomplete: 2, usage: 64 } as const;

/** 1 when a finding is at or above --fail-on, else 2 when a check errored, else 0. */
export function exitCode(report: Report, failOn: FailOn): number {
  const levels: Severity[] = failOn === 'error' ? ['error'] : failOn === 'warning' ? ['error', 'warning'] : [];
  if (report.findings.some((item) => levels.includes(item.severity))) return EXIT.findings;
  if (report.checks.some((check) => check.status === 'error')) return EXIT.incomplete;
  return EXIT.ok;
}
