import type { PairOutcome } from '../core/pair.js';
import type { CheckResult, Finding } from '../core/types.js';
import { label, openPorts, reachSummary, routeReachSummary, type Analysis } from './analysis.js';
import { brokenRouteLinks } from './route.js';

export interface Verdict {
  outcome: PairOutcome;
  sentence: string;
  /** The commands that repair the link the sentence names, when no pair finding carries them. */
  fix?: string[];
}

function hasError(result: CheckResult): boolean {
  return result.findings.some((item) => item.severity === 'error');
}

/**
 * The verdict on a way to a namespace, the host or an address, once no end has stopped: the first broken link of
 * the way, in the words of the host finding that reports it (its fix with it); a broken link no host check
 * reports is explained by the port it closes, or else in its own words.
 */
function routeVerdict(
  analysis: Analysis,
  results: readonly CheckResult[],
  onPath: readonly Finding[],
): Verdict | undefined {
  const route = analysis.route;
  if (route === undefined) return undefined;
  const [aName, bName] = [label(analysis.a), label(analysis.b)];
  const pairError = results.find(hasError);
  const broken = brokenRouteLinks(route)[0];
  if (broken !== undefined) {
    const named = onPath.find((item) => item.severity === 'error' && broken.findingIds.includes(item.id));
    if (named !== undefined)
      return {
        outcome: 'unreachable',
        sentence: `${aName} cannot reach ${bName}: ${named.title}`,
        fix: named.fix.commands,
      };
    if (pairError !== undefined) return undefined;
    return {
      outcome: 'unreachable',
      sentence: `${aName} cannot reach ${bName}: ${broken.title}: ${broken.detail}`,
      fix: broken.fix,
    };
  }
  if (pairError !== undefined) return undefined;
  const icmp = analysis.icmp;
  if (
    analysis.probesBlocked === undefined &&
    analysis.ports.length === 0 &&
    icmp !== undefined &&
    icmp.outcome !== 'reply'
  ) {
    const sentence = `ping from ${aName} to ${route.target} (${bName}): ${icmp.detail}`;
    return icmp.outcome === 'no_reply' || icmp.outcome === 'unreachable'
      ? { outcome: 'unreachable', sentence: `${aName} cannot reach ${bName}: ${sentence}` }
      : { outcome: 'undecided', sentence: `netdoctor cannot tell whether ${aName} reaches ${bName}: ${sentence}` };
  }
  return undefined;
}

/**
 * The one-sentence verdict, drawn from the pair checks' results in path order: the first link with an error
 * finding names why A cannot reach B; else any link that could not be decided makes the verdict undecided; else
 * A reaches B. On a way to a namespace, the host or an address, the host findings on it (`onPath`) name its
 * broken links.
 */
export function pairVerdict(
  analysis: Analysis,
  results: readonly CheckResult[],
  onPath: readonly Finding[] = [],
): Verdict {
  const aName = label(analysis.a);
  const bName = label(analysis.b);
  const stopped = results.find((result) => result.id === 'pair.running' && hasError(result));
  const fromRoute = stopped === undefined ? routeVerdict(analysis, results, onPath) : undefined;
  if (fromRoute !== undefined) return fromRoute;
  const broken = results.find(hasError);
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
  if (analysis.route === undefined && analysis.plan === undefined)
    return {
      outcome: 'undecided',
      sentence: `netdoctor cannot tell whether ${aName} reaches ${bName}: the way between them was not planned`,
    };
  const summary = analysis.route !== undefined ? routeReachSummary(analysis) : reachSummary(analysis);
  return { outcome: 'reachable', sentence: `${aName} can reach ${bName}: ${summary}${icmpNote}` };
}
