import type { CatalogEntry } from '../catalog.js';

export const PART2_FIREWALL: readonly CatalogEntry[] = [];
