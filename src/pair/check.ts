import type { Check, CheckContext } from '../core/check.js';
import type { Analysis } from './analysis.js';

/** What a pair check reads: besides the host and its facts, everything `why` learned about the two containers. */
export interface PairCheckContext extends CheckContext {
  analysis: Analysis;
}

/**
 * A check of one link on the way from container A to container B (checks/pair/). `pathOrder` places the link on
 * that way: the verdict names the first broken one.
 */
export interface PairCheck extends Check<PairCheckContext> {
  pathOrder: number;
}
