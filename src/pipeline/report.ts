import { engineSummaries } from '../facts/engines.js';
import type { Facts } from '../core/facts.js';
import { osInfo } from '../facts/os.js';
import { CHECK_STATUSES, SEVERITIES, type CheckResult, type CheckStatus, type Severity } from '../core/types.js';
import type { Report } from '../core/report.js';
import { TOOL } from '../core/tool.js';

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
