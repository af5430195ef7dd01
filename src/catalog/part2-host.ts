import type { CatalogEntry } from '../catalog.js';

export const PART2_HOST: readonly CatalogEntry[] = [];
