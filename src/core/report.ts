import type { PairSection } from './pair.js';
import type { CheckResult, CheckStatus, EngineSummary, Finding, Severity } from './types.js';

/**
 * What kind of machine the host is: distribution, virtualization, WSL, whether netdoctor runs in a container, CPU
 * and memory. Each field is absent when it could not be read; `unread` says why.
 */
export interface PlatformContext {
  distribution?: string;
  virtualization?: string;
  wsl?: boolean;
  container?: string;
  cpuModel?: string;
  cpus?: number;
  memoryBytes?: number;
  unread: string[];
}

/** The report of one run: the diagnosis of a host, or of the way between two containers (`pair`). */
export interface Report {
  /** 2 adds findings[].fingerprint and host.platform, and sorts findings by severity; nothing of 1 changed. */
  schemaVersion: 2;
  tool: { name: string; version: string };
  host: { hostname: string; os: string; kernel: string; user: string; uid: number; platform?: PlatformContext };
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
