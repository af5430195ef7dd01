import { catalogEntry } from './catalog.js';
import type { Evidence, Finding, Severity, Subject } from './types.js';

export interface FindingDetails {
  subject: Subject;
  evidence: Evidence[];
  /** Exact commands for this host; the summary defaults to the catalog's general remedy. */
  fix: { commands: string[]; summary?: string };
  /** A sharper title for this host ("IPv4 forwarding is disabled on podman1"). */
  title?: string;
  /** What is specific to this host, added after the catalog's explanation. */
  detail?: string;
  /** Only where the catalog gives a second level (e.g. "info if no container uses it"). */
  severity?: Severity;
}

/** Builds a finding whose wording comes from the catalog: checks decide facts, the catalog words them. */
export function finding(id: string, details: FindingDetails): Finding {
  const entry = catalogEntry(id);
  if (entry === undefined) throw new Error(`finding id ${id} is not in the catalog`);
  return {
    id,
    severity: details.severity ?? entry.severity,
    title: details.title ?? entry.title,
    explanation: details.detail ? `${entry.explanation} ${details.detail}` : entry.explanation,
    subject: details.subject,
    evidence: details.evidence,
    fix: { summary: details.fix.summary ?? entry.fix, commands: details.fix.commands },
    docs: entry.docs,
  };
}

export function fileEvidence(path: string, excerpt: string): Evidence {
  return { source: 'file', what: path, excerpt };
}
