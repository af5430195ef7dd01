import type { Check } from '../src/types.js';

export const PART2_HOST_CHECKS: readonly Check[] = [];
