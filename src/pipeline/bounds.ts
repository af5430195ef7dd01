/**
 * The size limits of what a report carries. A host can hand netdoctor megabytes (a command's output, a file, a
 * name) and a check may copy them into a reason, a title or an excerpt; the report keeps the start of each text,
 * generous for a person reading a ticket, and says how much it cut. Applied once, to the whole report.
 */
import type { PairSection } from '../core/pair.js';
import type { Report } from '../core/report.js';
import type { CheckResult, EngineSummary, Evidence, Finding, Subject } from '../core/types.js';

export const TEXT_LIMITS = {
  /** A name, a path, a host name: one line. */
  name: 300,
  title: 300,
  /** A check's reason or summary: a few sentences, or a list of networks. */
  reason: 2000,
  /** The wording's explanation plus what is specific to this host. */
  explanation: 4000,
  /** A command line or a path, in evidence. */
  what: 1000,
  /** About 50 lines of a ruleset or of a command's output. */
  excerpt: 4000,
  fixSummary: 1000,
  command: 1000,
  /** Any other text of the `why` section. */
  pairText: 2000,
} as const;

export const LIST_LIMITS = {
  evidence: 12,
  commands: 20,
  /** The containers, or the namespaces, a finding is about. */
  containers: 50,
  /** Lists of text in the `why` section (the firewall's trace, the fix). */
  pairTexts: 200,
} as const;

function cutMarker(more: number): string {
  return `… [${more} more characters]`;
}

/**
 * The start of a text and how much was cut, in at most `limit` characters (so that bounding twice changes
 * nothing); a surrogate pair is never split.
 */
export function boundText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // The marker's count has at most as many digits as the text's length.
  let keep = Math.max(limit - cutMarker(text.length).length, 0);
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}${cutMarker(text.length - keep)}`;
}

/** The first items of a list and, in place of the rest, one item that says how many were left out. */
export function boundList<T>(items: T[], limit: number, leftOut: (count: number, last: T) => T): T[] {
  if (items.length <= limit) return items;
  const kept = items.slice(0, Math.max(limit - 1, 0));
  return [...kept, leftOut(items.length - kept.length, items[kept.length]!)];
}

function boundOptional(text: string | undefined, limit: number): string | undefined {
  return text === undefined ? undefined : boundText(text, limit);
}

function boundEvidence(evidence: Evidence): Evidence {
  return {
    ...evidence,
    what: boundText(evidence.what, TEXT_LIMITS.what),
    excerpt: boundText(evidence.excerpt, TEXT_LIMITS.excerpt),
  };
}

function boundEvidenceList(evidence: Evidence[]): Evidence[] {
  return boundList(evidence, LIST_LIMITS.evidence, (count, next) => ({
    source: next.source,
    what: '…',
    excerpt: `[${count} more evidence items]`,
  })).map(boundEvidence);
}

function boundSubject(subject: Subject): Subject {
  const bounded: Subject = {};
  for (const [key, value] of Object.entries(subject) as [keyof Subject, Subject[keyof Subject]][]) {
    if (typeof value === 'string') (bounded as Record<string, unknown>)[key] = boundText(value, TEXT_LIMITS.name);
    else if (Array.isArray(value))
      (bounded as Record<string, unknown>)[key] = boundList(
        value,
        LIST_LIMITS.containers,
        (count) => `… [${count} more ${key}]`,
      ).map((name) => boundText(name, TEXT_LIMITS.name));
    else if (value !== undefined) (bounded as Record<string, unknown>)[key] = value;
  }
  return bounded;
}

function boundFinding(finding: Finding): Finding {
  return {
    ...finding,
    title: boundText(finding.title, TEXT_LIMITS.title),
    explanation: boundText(finding.explanation, TEXT_LIMITS.explanation),
    subject: boundSubject(finding.subject),
    evidence: boundEvidenceList(finding.evidence),
    fix: {
      summary: boundText(finding.fix.summary, TEXT_LIMITS.fixSummary),
      // A cut command cannot be run as it is: the marker starts a shell comment, so the cut is plain to see.
      commands: boundList(finding.fix.commands, LIST_LIMITS.commands, (count) => `# … [${count} more commands]`).map(
        (command) => boundText(command, TEXT_LIMITS.command),
      ),
    },
    docs: boundText(finding.docs, TEXT_LIMITS.name),
  };
}

function boundCheck(check: CheckResult): CheckResult {
  const bounded: CheckResult = {
    ...check,
    title: boundText(check.title, TEXT_LIMITS.title),
    findings: check.findings.map(boundFinding),
  };
  const reason = boundOptional(check.reason, TEXT_LIMITS.reason);
  const summary = boundOptional(check.summary, TEXT_LIMITS.reason);
  if (reason !== undefined) bounded.reason = reason;
  if (summary !== undefined) bounded.summary = summary;
  return bounded;
}

function boundEngine(engine: EngineSummary): EngineSummary {
  const bounded: EngineSummary = { ...engine };
  for (const key of ['cli', 'version', 'networkBackend'] as const) {
    const value = engine[key];
    if (value !== undefined) bounded[key] = boundText(value, TEXT_LIMITS.name);
  }
  if (engine.reason !== undefined) bounded.reason = boundText(engine.reason, TEXT_LIMITS.reason);
  return bounded;
}

const PAIR_TEXT_LIMITS: Record<string, number> = {
  title: TEXT_LIMITS.title,
  what: TEXT_LIMITS.what,
  excerpt: TEXT_LIMITS.excerpt,
};

/**
 * The `why` section has many small texts: every one is bounded, by its key where it has its own limit. Its lists of
 * links, probes and networks are as long as the path between two containers, which netdoctor itself bounds.
 */
function boundPairValue(value: unknown, key: string): unknown {
  if (typeof value === 'string') return boundText(value, PAIR_TEXT_LIMITS[key] ?? TEXT_LIMITS.pairText);
  if (Array.isArray(value)) {
    const items = value.every((item) => typeof item === 'string')
      ? boundList(value, LIST_LIMITS.pairTexts, (count) => `… [${count} more]`)
      : value;
    return items.map((item) => boundPairValue(item, key));
  }
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, boundPairValue(item, name)]));
  return value;
}

/** The report with every text and list within its limit. */
export function boundReport(report: Report): Report {
  const checks = report.checks.map(boundCheck);
  const bounded: Report = {
    ...report,
    host: {
      ...report.host,
      hostname: boundText(report.host.hostname, TEXT_LIMITS.name),
      os: boundText(report.host.os, TEXT_LIMITS.name),
      kernel: boundText(report.host.kernel, TEXT_LIMITS.name),
      user: boundText(report.host.user, TEXT_LIMITS.name),
    },
    engines: report.engines.map(boundEngine),
    checks,
    // In the report's own order (most severe first), not the checks'.
    findings: report.findings.map(boundFinding),
  };
  if (report.replayedFrom !== undefined) bounded.replayedFrom = boundText(report.replayedFrom, TEXT_LIMITS.what);
  if (report.pair !== undefined) bounded.pair = boundPairValue(report.pair, 'pair') as PairSection;
  return bounded;
}
