import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import {
  brokenBefore,
  closedPorts,
  droppedPort,
  foundPair,
  nothingListensInB,
  openPorts,
  pairSubject,
  reachSummary,
  type Analysis,
} from '../../src/pair/analysis.js';
import type { Evidence } from '../../src/core/types.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer } from '../../src/pair/locate.js';

const FINDINGS = {
  'pair.reachable': {
    severity: 'info',
    title: 'The second container is reachable from the first',
    explanation:
      'Every probe from the first container to the second passed: its ports accept connections and its name resolves where a name server serves it.',
    cause: 'Nothing is broken on this path.',
    fix: 'Nothing to fix on this path; if an application still fails, look at its own configuration (address, port, credentials).',
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
function reachableFinding(a: FoundContainer, b: FoundContainer, analysis: Analysis, evidence: Evidence[]) {
  return finding('pair.reachable', {
    subject: pairSubject(a, b),
    title: `${b.container.name} is reachable from ${a.container.name}: ${reachSummary(analysis)}`,
    evidence,
    fix: { commands: [] },
  });
}

/** Why not every probe passed, or undefined when every one did. */
function notAllPassed(analysis: Analysis): string | undefined {
  if (analysis.ports.length === 0) return nothingListensInB(analysis) ? 'nothing listens in B' : 'no port was probed';
  if (closedPorts(analysis).length > 0 || analysis.ports.some((port) => port.outcome === 'error'))
    return 'not every port accepted the connection';
  if (analysis.name !== undefined && analysis.name.outcome !== 'resolved') return "B's name did not resolve";
  const icmp = analysis.icmp;
  if (
    (icmp?.outcome === 'no_reply' && openPorts(analysis).length > 0) ||
    (icmp?.outcome === 'reply' && droppedPort(analysis) !== undefined)
  )
    return 'ping and TCP disagree';
  return undefined;
}

export default {
  id: 'pair.reachable',
  title: 'Every probe from A to B passes',
  docs: FINDINGS['pair.reachable'].docs,
  findings: FINDINGS,
  pathOrder: 7,
  async run({ analysis }) {
    const unmet = brokenBefore(analysis, 'results');
    if (unmet !== undefined) return notApplicable(unmet);
    const failed = notAllPassed(analysis);
    if (failed !== undefined) return notApplicable(failed);
    const [a, b] = foundPair(analysis)!;
    const evidence = [
      ...analysis.ports.flatMap((port) => port.evidence),
      ...(analysis.name?.evidence ?? []),
      ...(analysis.icmp?.evidence ?? []),
    ];
    return verdict(
      [reachableFinding(a, b, analysis, evidence)],
      `${a.container.name} can reach ${b.container.name}: ${reachSummary(analysis)}`,
    );
  },
} satisfies PairCheck;
