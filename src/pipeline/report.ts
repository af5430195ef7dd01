import { engineSummaries } from '../facts/engines.js';
import type { Facts } from '../core/facts.js';
import { osInfo } from '../facts/os.js';
import { CHECK_STATUSES, SEVERITIES, type CheckResult, type CheckStatus, type Severity } from '../core/types.js';
import type { Report } from '../core/report.js';

export const TOOL = { name: 'netdoctor', version: '0.1.0' };

function countBy<K extends string>(keys: readonly K[], values: K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] += 1;
  return counts;
}

export async function buildReport(
  facts: Facts,
  checks: CheckResult[],
  startedAt: Date,
  durationMs: number,
  replayedFrom?: string,
): Promise<Report> {
  const [os, engines] = await Promise.all([facts.get(osInfo), facts.get(engineSummaries)]);
  const { context } = facts.host;
  const findings = checks.flatMap((check) => check.findings);
  const report: Report = {
    schemaVersion: 1,
    tool: TOOL,
    host: { hostname: context.hostname, os: os.os, kernel: os.kernel, user: context.user, uid: context.uid },
    engines,
    startedAt: startedAt.toISOString(),
    durationMs,
    summary: {
      findings: countBy<Severity>(
        SEVERITIES,
        findings.map((item) => item.severity),
      ),
      checks: countBy<CheckStatus>(
        CHECK_STATUSES,
        checks.map((check) => check.status),
      ),
    },
    checks,
    findings,
  };
  if (replayedFrom !== undefined) report.replayedFrom = replayedFrom;
  return report;
}

export type FailOn = 'error' | 'warning' | 'never';

export const EXIT = { ok: 0, findings: 1, incomplete: 2, usage: 64 } as const;

/** 1 when a finding is at or above --fail-on, else 2 when a check errored, else 0. */
export function exitCode(report: Report, failOn: FailOn): number {
  const levels: Severity[] = failOn === 'error' ? ['error'] : failOn === 'warning' ? ['error', 'warning'] : [];
  if (report.findings.some((item) => levels.includes(item.severity))) return EXIT.findings;
  if (report.checks.some((check) => check.status === 'error')) return EXIT.incomplete;
  return EXIT.ok;
}
