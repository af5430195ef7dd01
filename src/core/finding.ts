import type { FindingCatalog } from './check.js';
import type { Evidence, Finding, Severity, Subject } from './types.js';

export interface FindingDetails {
  subject: Subject;
  evidence: Evidence[];
  /** Exact commands for this host; the summary defaults to the wording's general remedy. */
  fix: { commands: string[]; summary?: string };
  /** A sharper title for this host ("IPv4 forwarding is disabled on podman1"). */
  title?: string;
  /** What is specific to this host, added after the wording's explanation. */
  detail?: string;
  /** Only where the wording gives a second level (e.g. "info if no container uses it"). */
  severity?: Severity;
}

/**
 * The builder of a check's findings: checks decide facts, their wording words them. Typed by the check's own
 * catalog, so a check cannot report an id it does not declare.
 */
export function findingBuilder<Id extends string>(
  catalog: FindingCatalog<Id>,
): (id: Id, details: FindingDetails) => Finding {
  return (id, details) => {
    const wording = catalog[id];
    return {
      id,
      severity: details.severity ?? wording.severity,
      title: details.title ?? wording.title,
      explanation: details.detail ? `${wording.explanation} ${details.detail}` : wording.explanation,
      subject: details.subject,
      evidence: details.evidence,
      fix: { summary: details.fix.summary ?? wording.fix, commands: details.fix.commands },
      docs: wording.docs,
    };
  };
}

export function fileEvidence(path: string, excerpt: string): Evidence {
  return { source: 'file', what: path, excerpt };
}
