import { createHash } from 'node:crypto';
import type { Finding, Subject } from '../core/types.js';

const ADDRESS = /\b(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?\b|\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\/\d{1,3})?/gi;

/** A comma-separated list in a stable order: the same networks in another order are the same subject. */
function sortedList(text: string | undefined): string | undefined {
  return text
    ?.split(',')
    .map((item) => item.trim())
    .sort()
    .join(',');
}

/**
 * What a finding is about, without what changes from one run to the next on an unchanged host: containers in
 * sorted order, no rule numbers (a rule inserted above moves them) and no addresses (IPAM hands out new ones).
 */
export function normalizedSubject(subject: Subject): Subject {
  const normalized: Subject = {};
  if (subject.engine !== undefined) normalized.engine = subject.engine;
  if (subject.scope !== undefined) normalized.scope = subject.scope;
  if (subject.user !== undefined) normalized.user = subject.user;
  if (subject.network !== undefined) normalized.network = sortedList(subject.network)!;
  if (subject.containers !== undefined) normalized.containers = [...subject.containers].sort();
  if (subject.namespaces !== undefined) normalized.namespaces = [...subject.namespaces].sort();
  if (subject.interface !== undefined) normalized.interface = sortedList(subject.interface)!;
  if (subject.path !== undefined)
    normalized.path = subject.path.replace(ADDRESS, '<address>').replace(/\b(rule|#)\s*\d+/gi, '$1 <n>');
  return normalized;
}

/**
 * A finding's identity for a ticket system or CI to deduplicate on: 16 hex digits of the SHA-256 of its id and
 * normalized subject. The same fault on the same host gives the same fingerprint run after run.
 */
export function fingerprint(finding: Pick<Finding, 'id' | 'subject'>): string {
  const subject = normalizedSubject(finding.subject);
  const key = JSON.stringify([
    finding.id,
    subject.engine ?? null,
    subject.scope ?? null,
    subject.user ?? null,
    subject.network ?? null,
    subject.containers ?? null,
    subject.interface ?? null,
    subject.path ?? null,
    // Only where a finding names namespaces: every other finding keeps the fingerprint it had before they existed.
    ...(subject.namespaces === undefined ? [] : [subject.namespaces]),
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
