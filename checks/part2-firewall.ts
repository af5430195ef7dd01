import type { Check } from '../src/types.js';

export const PART2_FIREWALL_CHECKS: readonly Check[] = [];
