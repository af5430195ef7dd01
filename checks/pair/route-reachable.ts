import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import { label, routeReachSummary, routeSubject } from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import { brokenRouteLinks } from '../../src/pair/route.js';
import reachable from './reachable.js';

const FINDINGS = {
  'pair.reachable': reachable.findings['pair.reachable'],
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'pair.route-reachable',
  title: 'Every probe from A to a namespace, the host or an address passes',
  docs: FINDINGS['pair.reachable'].docs,
  findings: FINDINGS,
  pathOrder: 7,
  async run({ analysis }) {
    const { route } = analysis;
    if (route === undefined) return notApplicable('A and B are containers, or the way was not planned');
    if (analysis.probesBlocked !== undefined) return notApplicable(`no probe ran: ${analysis.probesBlocked}`);
    const broken = brokenRouteLinks(route);
    if (broken.length > 0) return notApplicable(`a link of the way is broken (${broken[0]!.title})`);
    if (analysis.ports.some((port) => port.outcome !== 'open'))
      return notApplicable('not every port accepted the connection');
    if (analysis.ports.length === 0 && analysis.icmp?.outcome !== 'reply')
      return notApplicable(`no port was probed and ping got no answer (${analysis.icmp?.detail ?? 'no ping'})`);
    const [aName, bName] = [label(analysis.a), label(analysis.b)];
    const evidence = [...analysis.ports.flatMap((port) => port.evidence), ...(analysis.icmp?.evidence ?? [])];
    return verdict(
      [
        finding('pair.reachable', {
          subject: routeSubject(analysis),
          title: `${bName} is reachable from ${aName}: ${routeReachSummary(analysis)}`,
          evidence,
          fix: { commands: [] },
        }),
      ],
      `${aName} can reach ${bName}: ${routeReachSummary(analysis)}`,
    );
  },
} satisfies PairCheck;
