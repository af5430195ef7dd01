import type { FindingCatalog } from '../../src/core/check.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import { brokenBefore, byAddressOnly, foundPair, pairSubject, type Analysis } from '../../src/pair/analysis.js';
import type { PairCheck } from '../../src/pair/check.js';
import type { FoundContainer } from '../../src/pair/locate.js';
import { networkNames } from '../../src/pair/path.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'pair.no_shared_network': {
    severity: 'error',
    title: 'The two containers share no network',
    explanation:
      "Containers reach each other directly, and by name, only on a network they are both attached to (or when they share one network namespace: a pod, `--network container:`, or the host's). On different networks each name server knows only its own network, and the engine's firewall rules either isolate the networks (docker) or let traffic through by address only, routed by the host.",
    cause: 'The containers were started with different --network options, or one of them on the default network.',
    fix: "Attach one container to the other one's network (`network connect`), or start both on one user-defined network.",
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);
function noSharedNetwork(a: FoundContainer, b: FoundContainer, analysis: Analysis) {
  const open = analysis.ports.filter((port) => port.outcome === 'open');
  const plan = analysis.plan;
  const isolation = analysis.firewallDrop?.owner === 'docker-isolation' ? analysis.firewallDrop : undefined;
  const byAddress =
    open.length > 0 && plan?.target !== undefined
      ? `By address, ${plan.target}:${open.map((port) => port.port).join(',')} does answer: ${plan.description.replace(/^no shared network: /, '')}.`
      : isolation !== undefined
        ? `Even by address, docker keeps its networks apart: ${isolation.description}.`
        : undefined;
  const bNetwork = b.container.networks[0]?.network;
  const aBridged = a.container.networks.length > 0;
  const commands =
    bNetwork !== undefined && aBridged
      ? [shellLine([a.cli, 'network', 'connect', ...operands(bNetwork, a.container.name)])]
      : [`${a.cli} network create app`];
  const summary =
    bNetwork !== undefined && aBridged
      ? `Attach ${a.container.name} to ${b.container.name}'s network ${bNetwork}; ${b.container.name} is then reachable by name.`
      : `Create one network and recreate ${a.container.name} and ${b.container.name} with --network app (a container in ${a.container.networkMode} mode cannot be attached to a network while it runs).`;
  return finding('pair.no_shared_network', {
    subject: pairSubject(a, b),
    title: `${a.container.name} and ${b.container.name} share no network (${a.container.name} is on ${networkNames(a.container)}, ${b.container.name} on ${networkNames(b.container)})`,
    ...(byAddress === undefined ? {} : { detail: byAddress }),
    evidence: isolation === undefined ? [a.evidence, b.evidence] : [a.evidence, b.evidence, isolation.evidence],
    fix: { summary, commands },
  });
}

export default {
  id: 'pair.shared-network',
  title: 'Both containers share a network',
  docs: FINDINGS['pair.no_shared_network'].docs,
  findings: FINDINGS,
  pathOrder: 3,
  async run({ analysis }) {
    const unmet = brokenBefore(analysis, 'network');
    if (unmet !== undefined) return notApplicable(unmet);
    const [a, b] = foundPair(analysis)!;
    const plan = analysis.plan!;
    if (plan.kind !== 'routed' && plan.kind !== 'none') return verdict([], plan.description);
    const [aName, bName] = [a.container.name, b.container.name];
    const networks = `they share no network (${aName} is on ${networkNames(a.container)}, ${bName} on ${networkNames(b.container)})`;
    const byAddress = byAddressOnly(analysis, aName, bName);
    const sentence = byAddress
      ? `${byAddress}: ${networks}, so ${bName}'s name does not resolve from ${aName}`
      : `${aName} cannot reach ${bName}: ${networks}`;
    return verdict([noSharedNetwork(a, b, analysis)], sentence);
  },
} satisfies PairCheck;
