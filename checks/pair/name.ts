import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import {
  brokenBefore,
  foundPair,
  nameCause,
  openPorts,
  pairSubject,
  type NameResolution,
} from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer } from '../../src/pair/locate.js';
import type { PathPlan } from '../../src/pair/path.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'pair.name_not_resolvable': {
    severity: 'error',
    title: "The first container cannot resolve the second one's name",
    explanation:
      'Applications usually reach another container by its name. On the network the two share, that name does not resolve from the first container: connecting by name fails with "bad address" or "Name or service not known" although the address may answer.',
    cause:
      "The shared network has no DNS (docker's default `bridge`, podman's default `podman`, a CNI network without dnsname, a network created with --disable-dns), or its DNS server (aardvark-dns, dnsname's dnsmasq, docker's embedded DNS) does not run or does not answer.",
    fix: 'Put both containers on a user-defined network with DNS, or repair the DNS server of the network they share.',
    docs: 'https://docs.docker.com/engine/network/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
function nameFinding(resolution: NameResolution, a: FoundContainer, b: FoundContainer, plan: PathPlan) {
  const network = plan.network;
  const cli = a.cli;
  const noDns = plan.names === 'no_dns';
  const commands = noDns
    ? [
        `${cli} network create app`,
        shellLine([cli, 'network', 'connect', 'app', ...operands(a.container.name)]),
        shellLine([cli, 'network', 'connect', 'app', ...operands(b.container.name)]),
      ]
    : resolution.dnsOutcome === 'nxdomain' && network !== undefined
      ? [
          shellLine([cli, 'network', 'disconnect', ...operands(network.name, b.container.name)]),
          shellLine([cli, 'network', 'connect', ...operands(network.name, b.container.name)]),
        ]
      : ['netdoctor'];
  const summary = noDns
    ? `Attach both containers to a user-defined network (here "app"), which has DNS; or connect by address.`
    : resolution.dnsOutcome === 'nxdomain'
      ? `The name server of ${network?.name ?? 'the network'} does not know ${b.container.name}: reconnect ${b.container.name} to the network so that the engine registers its name again.`
      : `The name server of ${network?.name ?? 'the network'} does not answer: run netdoctor for the host-wide diagnosis of the DNS servers (aardvark-dns, dnsname's dnsmasq, docker's embedded DNS).`;
  return finding('pair.name_not_resolvable', {
    subject: network ? { ...pairSubject(a, b), network: network.name } : pairSubject(a, b),
    title: `${a.container.name} cannot resolve ${resolution.name}: ${nameCause(resolution, plan)}`,
    evidence: resolution.evidence,
    fix: { summary, commands },
  });
}

export default {
  id: 'pair.name',
  title: "A resolves B's name",
  docs: FINDINGS['pair.name_not_resolvable'].docs,
  findings: FINDINGS,
  pathOrder: 5,
  async run({ analysis }) {
    const unmet = brokenBefore(analysis, 'results');
    if (unmet !== undefined) return notApplicable(unmet);
    const [a, b] = foundPair(analysis)!;
    const plan = analysis.plan!;
    const resolution = analysis.name;
    if (resolution === undefined)
      return notApplicable(
        `no name lookup on this path (${plan.names === 'not_needed' ? 'one network namespace' : 'the network serves no names'})`,
      );
    if (resolution.outcome === 'unknown')
      return cannotDecide(`the name ${resolution.name} could not be looked up (${resolution.detail})`);
    if (resolution.outcome === 'resolved') return verdict([], resolution.detail);
    const reached =
      openPorts(analysis).length > 0
        ? `${a.container.name} reaches ${b.container.name} at ${plan.target} but cannot resolve its name`
        : `${a.container.name} cannot resolve ${b.container.name}'s name`;
    return verdict([nameFinding(resolution, a, b, plan)], `${reached}: ${nameCause(resolution, plan)}`);
  },
} satisfies PairCheck;
