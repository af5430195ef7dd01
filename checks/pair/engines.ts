import type { HostContext } from '../../src/core/host.js';
import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import {
  brokenBefore,
  byAddressOnly,
  createCommandHint,
  describeLocation,
  label,
  notAContainer,
  ownerOf,
  pairSubject,
  whyNotFound,
} from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer, Location } from '../../src/pair/locate.js';

const FINDINGS = {
  'pair.different_engines': {
    severity: 'error',
    title: 'The two containers belong to different engines or users',
    explanation:
      "Each engine, and each user's rootless podman, keeps its own networks and name servers: a docker network and a podman network, or the networks of two users, never join. Containers of different engines can at best reach each other by address, routed through the host (rootful ones) or through published ports (rootless ones), and never by name.",
    cause:
      'The containers were started with different engines (docker and podman), by different users, or one rootful and one rootless.',
    fix: "Run both containers with the same engine, as the same user, on one network; or publish the second container's port on the host and connect to the host's address.",
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
function differentEngines(a: FoundContainer, b: Location, context: HostContext) {
  const bEvidence = b.kind === 'found' || b.kind === 'foreign' ? [b.evidence] : [];
  const aNetwork = a.container.networks[0]?.network;
  const recreate = aNetwork ? `${a.cli} run --network ${aNetwork} …` : `${a.cli} run …`;
  return finding('pair.different_engines', {
    subject: pairSubject(a, b),
    title: `${a.container.name} is ${describeLocation(a, context)}, ${label(b)} is ${describeLocation(b, context)}`,
    evidence: [a.evidence, ...bEvidence],
    fix: {
      summary: `Recreate ${label(b)} with ${ownerOf(a)} next to ${a.container.name} (${recreate}, with the options the first command shows), or publish its port on the host (-p) and connect ${a.container.name} to the host's address.`,
      commands: createCommandHint(b),
    },
  });
}

export default {
  id: 'pair.engines',
  title: 'Both containers belong to one engine and user',
  docs: FINDINGS['pair.different_engines'].docs,
  findings: FINDINGS,
  pathOrder: 2,
  async run({ analysis }) {
    const unmet = brokenBefore(analysis, 'owner');
    if (unmet !== undefined) {
      // Beside a namespace, the host or an address, a container that was not found leaves nothing to probe from.
      const lost =
        notAContainer(analysis) === undefined ? undefined : (whyNotFound(analysis.a) ?? whyNotFound(analysis.b));
      return lost === undefined ? notApplicable(unmet) : cannotDecide(lost);
    }
    const { a, b, context } = analysis;
    const [aName, bName] = [label(a), label(b)];
    const neverMeet = `${aName} cannot reach ${bName}: ${aName} is ${describeLocation(a, context)} and ${bName} ${describeLocation(b, context)}; their networks never meet`;
    if (a.kind !== 'found') {
      // Without A netdoctor has no namespace to probe from; a foreign A still decides "different engines" against a
      // found B.
      if (a.kind === 'foreign' && b.kind === 'found') return verdict([differentEngines(b, a, context)], neverMeet);
      const asOwner = a.kind === 'foreign' && a.uid !== 0 ? `: run netdoctor why as ${a.user}` : '';
      return cannotDecide(
        whyNotFound(a) ??
          whyNotFound(b) ??
          `${aName} is ${describeLocation(a, context)}, which netdoctor cannot inspect as ${context.user}${asOwner}`,
      );
    }
    if (b.kind === 'foreign') return verdict([differentEngines(a, b, context)], neverMeet);
    if (b.kind !== 'found') return cannotDecide(whyNotFound(b)!);
    if (analysis.plan?.sameOwner === true) return verdict([], `both are containers of ${ownerOf(a)}`);
    const owners = `${aName} is ${describeLocation(a, context)} and ${bName} ${describeLocation(b, context)}`;
    const byAddress = byAddressOnly(analysis, aName, bName);
    const sentence = byAddress
      ? `${byAddress}: ${owners}, whose networks never meet, so ${bName}'s name never resolves from ${aName}`
      : `${aName} cannot reach ${bName}: ${owners}; their networks never meet`;
    return verdict([differentEngines(a, b, context)], sentence);
  },
} satisfies PairCheck;
