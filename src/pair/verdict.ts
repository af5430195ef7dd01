import type { PairOutcome } from '../core/pair.js';
import type { CheckResult } from '../core/types.js';
import { label, openPorts, reachSummary, type Analysis } from './analysis.js';

export interface Verdict {
  outcome: PairOutcome;
  sentence: string;
}

/**
 * The one-sentence verdict, drawn from the pair checks' results in path order: the first link with an error
 * finding names why A cannot reach B; else any link that could not be decided makes the verdict undecided; else
 * A reaches B.
 */
export function pairVerdict(analysis: Analysis, results: readonly CheckResult[]): Verdict {
  const aName = label(analysis.a);
  const bName = label(analysis.b);
  const broken = results.find((result) => result.findings.some((item) => item.severity === 'error'));
  if (broken !== undefined) return { outcome: 'unreachable', sentence: broken.summary ?? broken.findings[0]!.title };
  const undecided = results
    .filter((result) => result.status === 'error' || result.skip === 'cannot_decide')
    .map((result) => result.reason ?? result.title);
  if (undecided.length > 0)
    return {
      outcome: 'undecided',
      sentence: `netdoctor cannot tell whether ${aName} reaches ${bName}: ${undecided.join('; ')}`,
    };
  const icmpNote =
    analysis.icmp?.outcome === 'no_reply' && openPorts(analysis).length > 0
      ? '; ping gets no answer, but TCP does'
      : '';
  return { outcome: 'reachable', sentence: `${aName} can reach ${bName}: ${reachSummary(analysis)}${icmpNote}` };
}
