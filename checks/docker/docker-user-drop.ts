import { bridgeNfCallIptables } from '../../src/facts/firewall.js';
import {
  type BlockedPath,
  bothFlavoursInUse,
  deciderEvidence,
  dropGroups,
  firewallInputs,
  firstEndpoint,
  networkLabel,
  networksSubject,
  pathOutcome,
  peerEndpoint,
  undecidedLimit,
} from '../../src/firewall/check-support.js';
import { iptablesInsertCommand } from '../../src/firewall/fixes.js';
import { dropOwner, findChain } from '../../src/firewall/owners.js';
import { evaluatePath, replyFromOutsidePath, sameBridgePath, toOutsidePath } from '../../src/firewall/paths.js';
import { finding } from '../../src/finding.js';
import { verdict } from '../../src/outcome.js';
import type { Check, Evidence, Finding } from '../../src/types.js';

export default {
  id: 'docker.docker-user',
  title: 'The DOCKER-USER chain and container traffic',
  findings: ['docker.docker_user_drop'],
  docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { traffic, firewall, uplink, limits } = loaded.inputs;
    const { model } = firewall;
    const bridgeNf = await facts.get(bridgeNfCallIptables);
    const blocked: BlockedPath[] = [];
    const checked: string[] = [];
    for (const network of traffic.networks) {
      const from = firstEndpoint(network);
      // Connections from the outside to published ports are what DOCKER-USER is for: only these are checked.
      const paths = [sameBridgePath(from, peerEndpoint(network, from), bridgeNf.ok && bridgeNf.value)];
      if (!network.network.internal) paths.push(toOutsidePath(from, uplink), replyFromOutsidePath(from, uplink));
      for (const path of paths) {
        const evaluation = evaluatePath(model, path);
        checked.push(pathOutcome(model, evaluation, network));
        if (evaluation.verdict === 'unknown') limits.push(undecidedLimit(evaluation, networkLabel(network)));
        const decider = evaluation.decidedBy;
        if (evaluation.verdict === 'drop' && decider !== null && dropOwner(model, decider) === 'docker-user') blocked.push({ network, evaluation, decider });
      }
    }
    const split = bothFlavoursInUse(model);
    const findings: Finding[] = dropGroups(blocked).map(({ decider, paths, networks, pathKinds }) => {
      const evidence: Evidence[] = [deciderEvidence(model, decider)];
      const dockerUser = findChain(model, decider, 'DOCKER-USER');
      if (dockerUser) evidence.push({ source: 'command', what: decider.source, excerpt: [dockerUser.declaration, ...dockerUser.rules.map((rule) => rule.text)].join('\n') });
      return finding('docker.docker_user_drop', {
        subject: networksSubject(networks),
        title: `Rule ${decider.ruleIndex} of ${decider.chain} drops container traffic (${pathKinds})`,
        detail: `Dropped: ${paths.map((item) => item.evaluation.path.description).join('; ')}. Networks: ${networks.map(networkLabel).join(', ')}.`,
        evidence,
        fix: {
          commands: [
            iptablesInsertCommand(decider, 'DOCKER-USER', { established: true }, split),
            ...networks.map((network) => iptablesInsertCommand(decider, 'DOCKER-USER', { iif: network.bridge }, split, 2)),
          ],
          summary: `Accept replies and the containers' own traffic before the drop, as these commands do, or limit the drop to new connections from the outside (add -i ${uplink ?? '<uplink>'} -m conntrack --ctstate NEW to it).`,
        },
      });
    });
    return verdict(findings, checked.join('; '), limits);
  },
} satisfies Check;
