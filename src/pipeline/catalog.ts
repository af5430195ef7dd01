import type { Check, FindingWording } from '../core/check.js';

export interface CatalogEntry extends FindingWording {
  id: string;
  /** The ids of the checks that report it. */
  reporters: string[];
}

/** Every finding id the checks can report, with its wording, sorted by id: derived from the checks' metadata. */
export function findingCatalog(checks: readonly Pick<Check, 'id' | 'findings'>[]): CatalogEntry[] {
  const entries = new Map<string, CatalogEntry>();
  for (const check of checks) {
    for (const [id, wording] of Object.entries(check.findings)) {
      const entry = entries.get(id);
      if (entry === undefined) entries.set(id, { id, ...wording, reporters: [check.id] });
      else entry.reporters.push(check.id);
    }
  }
  return [...entries.values()].sort((left, right) => left.id.localeCompare(right.id));
}
