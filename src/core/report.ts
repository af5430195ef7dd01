import type { PairSection } from './pair.js';
import type { CheckResult, CheckStatus, EngineSummary, Finding, Severity } from './types.js';

/** The report of one run: the diagnosis of a host, or of the way between two containers (`pair`). */
export interface Report {
  schemaVersion: 1;
  tool: { name: string; version: string };
  host: { hostname: string; os: string; kernel: string; user: string; uid: number };
  engines: EngineSummary[];
  startedAt: string;
  durationMs: number;
  replayedFrom?: string;
  summary: {
    findings: Record<Severity, number>;
    checks: Record<CheckStatus, number>;
  };
  checks: CheckResult[];
  findings: Finding[];
  /** `netdoctor why A B` only: the two containers, the path between them and the verdict. */
  pair?: PairSection;
}
