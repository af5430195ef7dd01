import { engineSummaries } from '../facts/engines.js';
import type { FactDefinition, Facts } from '../core/facts.js';
import { NotRecordedError } from '../core/host.js';
import { osInfo } from '../facts/os.js';
import { hostPlatform } from '../facts/platform.js';
import {
  CHECK_STATUSES,
  SEVERITIES,
  type CheckResult,
  type CheckStatus,
  type EngineSummary,
  type Finding,
  type Severity,
} from '../core/types.js';
import type { PlatformContext, Report } from '../core/report.js';
import { fingerprint } from './fingerprint.js';
import { TOOL } from '../core/tool.js';

/** The host's context is a few small files: a host that cannot give them in this time should not hold up the report. */
export const PLATFORM_TIME_LIMIT_MS = 2000;

async function platformWithin(facts: Facts, limitMs: number): Promise<PlatformContext> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<PlatformContext>((resolve) => {
    timer = setTimeout(() => resolve({ unread: [`the host context took longer than ${limitMs / 1000} s`] }), limitMs);
  });
  try {
    return await Promise.race([facts.get(hostPlatform), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Most severe first; findings of one severity keep the order of their checks. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((left, right) => SEVERITIES.indexOf(left.severity) - SEVERITIES.indexOf(right.severity));
}

function countBy<K extends string>(keys: readonly K[], values: K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] += 1;
  return counts;
}

/**
 * A check's findings without repeats: an engine that lists one network twice (a fuzzed snapshot listed docker's
 * bridge 137 times) would otherwise give the same finding, word for word, once per listing.
 */
function distinct(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Where the report comes from: a replayed snapshot, and how its header names the engines. */
export interface ReportSource {
  replayedFrom?: string | undefined;
  engines?: FactDefinition<EngineSummary[]> | undefined;
}

export async function buildReport(
  facts: Facts,
  checks: CheckResult[],
  startedAt: Date,
  durationMs: number,
  { replayedFrom, engines: engineHeader = engineSummaries }: ReportSource = {},
): Promise<Report> {
  const [os, engines, platform] = await Promise.all([
    // The header names the host as far as a snapshot tells; the checks say what was not recorded.
    facts.get(osInfo).catch((error: unknown) => {
      if (error instanceof NotRecordedError) return { os: 'unknown', kernel: 'unknown' };
      throw error;
    }),
    facts.get(engineHeader),
    platformWithin(facts, PLATFORM_TIME_LIMIT_MS),
  ]);
  const { context } = facts.host;
  const fingerprinted = checks.map((check) => ({
    ...check,
    findings: distinct(check.findings).map((item) => ({ ...item, fingerprint: fingerprint(item) })),
  }));
  const findings = bySeverity(fingerprinted.flatMap((check) => check.findings));
  const report: Report = {
    schemaVersion: 2,
    tool: TOOL,
    host: {
      hostname: context.hostname,
      os: os.os,
      kernel: os.kernel,
      user: context.user,
      uid: context.uid,
      platform,
    },
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
    checks: fingerprinted,
    findings,
  };
  if (replayedFrom !== undefined) report.replayedFrom = replayedFrom;
  return report;
}
