import { PART1 } from './catalog/part1.js';
import { PART2_FIREWALL } from './catalog/part2-firewall.js';
import { PART2_HOST } from './catalog/part2-host.js';
import { PART3 } from './catalog/part3.js';
import type { Severity } from './types.js';

/**
 * The wording of every finding id, kept apart from the checks that detect them. Ids are a public contract
 * (CATALOG.md): never rename one, never change what it means.
 */
export interface CatalogEntry {
  id: string;
  severity: Severity;
  title: string;
  /** Why it breaks container traffic, in plain words. */
  explanation: string;
  /** What usually causes it on a real host. */
  cause: string;
  /** The general remedy; findings carry the exact commands for the host at hand. */
  fix: string;
  docs: string;
}

export const CATALOG: readonly CatalogEntry[] = [...PART1, ...PART2_FIREWALL, ...PART2_HOST, ...PART3];

const BY_ID = new Map(CATALOG.map((entry) => [entry.id, entry]));

export function catalogEntry(id: string): CatalogEntry | undefined {
  return BY_ID.get(id);
}
