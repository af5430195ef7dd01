import { handmadeInputs, linkUpCommand, segmentSubject } from '../../src/check-support/handmade.js';
import {
  describeInterface,
  interfaceEvidence,
  segmentLabel,
  type HandmadeSegment,
  type NetInterface,
} from '../../src/facts/netns.js';
import { findingBuilder } from '../../src/core/finding.js';
import { verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'netns.veth_down': {
    severity: 'error',
    title: 'A veth of a hand-made network namespace is down',
    explanation:
      'A named network namespace (`ip netns`) reaches the host, a bridge or another namespace only through its veth pair. Both ends must be up: a veth end that is down carries nothing, and its peer loses its carrier (NO-CARRIER), so the namespace can reach neither its neighbours, nor its gateway, nor the outside.',
    cause:
      'An end was never set up (`ip link set ... up` forgotten for the end moved into the namespace, the usual slip of the tutorials), or something set it down later (a script, `ip link set ... down`, a network manager that manages every veth).',
    fix: 'Set the end that is down up again, in the namespace it lives in.',
    docs: 'https://man7.org/linux/man-pages/man8/ip-netns.8.html',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

interface DownEnd {
  iface: NetInterface;
  /** The namespace it lives in; undefined for the host's. */
  namespace?: string;
  where: string;
}

function veth(
  link: string,
  ends: { iface: NetInterface; namespace?: string; where: string }[],
  segment: HandmadeSegment | undefined,
  namespaces: string[],
): Finding | undefined {
  const down: DownEnd[] = ends.filter((end) => !end.iface.adminUp);
  if (down.length === 0) return undefined;
  const which = down.map((end) => `${end.iface.name} (${end.where})`).join(' and ');
  return finding('netns.veth_down', {
    subject: segmentSubject(segment, namespaces, down[0]!.iface.name),
    title: `${link} is down at ${which}`,
    detail: `The ${down.length === 2 ? 'two ends are' : 'end is'} down: ${which}. ${ends.map((end) => `${end.where}: ${describeInterface(end.iface)}`).join('; ')}.`,
    evidence: ends.map((end) => interfaceEvidence(end.iface, end.namespace)),
    fix: { commands: down.map((end) => linkUpCommand(end.iface.name, end.namespace)) },
  });
}

export default {
  id: 'netns.veth-down',
  title: 'The veths of hand-made network namespaces are up',
  findings: FINDINGS,
  docs: FINDINGS['netns.veth_down'].docs,
  async run({ facts }) {
    const loaded = await handmadeInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { networks } = loaded;
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const segment of networks.segments) {
      for (const member of segment.members) {
        checked.push(`${member.namespace}: ${member.inside.name} <-> ${member.hostEnd.name}`);
        const item = veth(
          `The veth between namespace ${member.namespace} and ${segmentLabel(segment)}`,
          [
            { iface: member.inside, namespace: member.namespace, where: `in namespace ${member.namespace}` },
            {
              iface: member.hostEnd,
              where: segment.kind === 'bridge' ? `on the host, port of ${segment.host.name}` : 'on the host',
            },
          ],
          segment,
          [member.namespace],
        );
        if (item) findings.push(item);
      }
    }
    for (const pair of networks.pairs) {
      checked.push(`${pair.a.namespace}: ${pair.a.inside.name} <-> ${pair.b.namespace}: ${pair.b.inside.name}`);
      const item = veth(
        `The veth between namespaces ${pair.a.namespace} and ${pair.b.namespace}`,
        [
          { iface: pair.a.inside, namespace: pair.a.namespace, where: `in namespace ${pair.a.namespace}` },
          { iface: pair.b.inside, namespace: pair.b.namespace, where: `in namespace ${pair.b.namespace}` },
        ],
        undefined,
        [pair.a.namespace, pair.b.namespace],
      );
      if (item) findings.push(item);
    }
    const summary =
      checked.length > 0
        ? `veth pairs of hand-made namespaces: ${checked.join('; ')}`
        : `${networks.namespaces.size} hand-made namespace(s), none linked to the host or to each other by a veth`;
    return verdict(findings, summary, networks.unreadable);
  },
} satisfies Check;
