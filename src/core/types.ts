export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error';
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'error'];

/** Why a check was skipped: it does not apply to this host, or it could not read what it needs to decide. */
export type SkipKind = 'not_applicable' | 'cannot_decide';

export type EngineName = 'docker' | 'podman';

/** rootful: root's engine (docker, rootful podman); rootless: a user's own podman. */
export type Scope = 'rootful' | 'rootless';

/** What a finding is about. Every field is optional: a host-wide finding has none. */
export interface Subject {
  engine?: EngineName;
  /** rootful or rootless: for podman, the user whose podman this is. */
  scope?: Scope;
  user?: string;
  network?: string;
  containers?: string[];
  /** Named network namespaces (`ip netns`) that no container engine owns. */
  namespaces?: string[];
  interface?: string;
  path?: string;
}

/** What was read to know it: the command or file, and the excerpt that shows it. */
export interface Evidence {
  source: 'command' | 'file' | 'directory' | 'stat' | 'process';
  /** The command line, or the path. */
  what: string;
  excerpt: string;
}

export interface Fix {
  summary: string;
  /** Exact commands for a person to run; netdoctor never runs them. */
  commands: string[];
}

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
  subject: Subject;
  evidence: Evidence[];
  fix: Fix;
  docs: string;
  /** Set by the report: the id and normalized subject, hashed, for a ticket system or CI to deduplicate on. */
  fingerprint?: string;
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** For skip: whether the check does not apply or could not decide. */
  skip?: SkipKind;
  /** Why it was skipped or errored, or what limited it. */
  reason?: string;
  /** What was verified, in a few words. */
  summary?: string;
  durationMs: number;
  findings: Finding[];
  /** Where a plug-in check was loaded from. */
  source?: string;
}

export interface EngineSummary {
  engine: EngineName;
  scope: Scope;
  cli?: string;
  version?: string;
  reachable: boolean;
  networkBackend?: string;
  reason?: string;
}
