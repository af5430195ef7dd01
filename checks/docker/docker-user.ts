import { bridgeNfCallIptables } from '../../src/facts/firewall.js';
import {
  type BlockedPath,
  bothFlavoursInUse,
  deciderEvidence,
  dropGroups,
  evaluateNetworkPaths,
  firewallInputs,
  firewallVerdict,
  firstEndpoint,
  networkLabel,
  networksSubject,
  peerEndpoint,
} from '../../src/check-support/firewall.js';
import { iptablesInsertCommand } from '../../src/netfilter/fixes.js';
import { dropOwner, findChain } from '../../src/netfilter/owners.js';
import { replyFromOutsidePath, sameBridgePath, toOutsidePath } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'docker.docker_user_drop': {
    severity: 'error',
    title: 'The DOCKER-USER chain drops container traffic',
    explanation:
      "Docker evaluates the DOCKER-USER chain first for every forwarded packet, for its own networks and, since it is jumped to from FORWARD, for every other bridge on the host too. A drop rule there that is not limited to new connections from the outside (no -i on the external interface, no accept of RELATED,ESTABLISHED before it) also drops containers' own outgoing connections, their replies, or traffic between containers.",
    cause:
      'A hardening script or a guide that restricts published ports by source address, written as a catch-all `-j DROP` in DOCKER-USER.',
    fix: "Limit the drop to new connections from the external interface, and accept RELATED,ESTABLISHED first, as docker's documentation shows; or remove the drop.",
    docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'docker.docker-user',
  title: 'The DOCKER-USER chain and container traffic',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, uplink } = inputs;
    const { model } = firewall;
    const bridgeNf = await facts.get(bridgeNfCallIptables);
    const blocked: BlockedPath[] = [];
    for (const network of traffic.networks) {
      const from = firstEndpoint(network);
      // Connections from the outside to published ports are what DOCKER-USER is for: only these are checked.
      const paths = [sameBridgePath(from, peerEndpoint(network, from), bridgeNf.ok && bridgeNf.value)];
      if (!network.network.internal) paths.push(toOutsidePath(from, uplink), replyFromOutsidePath(from, uplink));
      for (const evaluation of evaluateNetworkPaths(inputs, network, paths)) {
        const decider = evaluation.decidedBy;
        if (evaluation.verdict === 'drop' && decider !== null && dropOwner(model, decider) === 'docker-user')
          blocked.push({ network, evaluation, decider });
      }
    }
    const split = bothFlavoursInUse(model);
    const findings: Finding[] = dropGroups(blocked).map(({ decider, paths, networks, pathKinds }) => {
      const evidence: Evidence[] = [deciderEvidence(model, decider)];
      const dockerUser = findChain(model, decider, 'DOCKER-USER');
      if (dockerUser)
        evidence.push({
          source: 'command',
          what: decider.source,
          excerpt: [dockerUser.declaration, ...dockerUser.rules.map((rule) => rule.text)].join('\n'),
        });
      return finding('docker.docker_user_drop', {
        subject: networksSubject(networks),
        title: `Rule ${decider.ruleIndex} of ${decider.chain} drops container traffic (${pathKinds})`,
        detail: `Dropped: ${paths.map((item) => item.evaluation.path.description).join('; ')}. Networks: ${networks.map(networkLabel).join(', ')}.`,
        evidence,
        fix: {
          commands: [
            iptablesInsertCommand(decider, 'DOCKER-USER', { established: true }, split),
            ...networks.map((network) =>
              iptablesInsertCommand(decider, 'DOCKER-USER', { iif: network.bridge }, split, 2),
            ),
          ],
          summary: `Accept replies and the containers' own traffic before the drop, as these commands do, or limit the drop to new connections from the outside (add -i ${uplink ?? '<uplink>'} -m conntrack --ctstate NEW to it).`,
        },
      });
    });
    return firewallVerdict(inputs, findings);
  },
} satisfies Check;
