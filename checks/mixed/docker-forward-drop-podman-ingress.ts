import { bothFlavoursInUse, deciderEvidence, firewallInputs, networkLabel, networkSubject, undecidedLimit } from '../../src/firewall/check-support.js';
import { iptablesInsertCommand } from '../../src/firewall/fixes.js';
import type { Decider } from '../../src/firewall/model.js';
import { dropOwner } from '../../src/firewall/owners.js';
import { evaluatePath, publishedPortPath } from '../../src/firewall/paths.js';
import { finding } from '../../src/finding.js';
import { notApplicable, verdict } from '../../src/outcome.js';
import type { Check, Finding } from '../../src/types.js';

export default {
  id: 'mixed.docker-forward-podman-ingress',
  title: "Podman's published ports and docker's FORWARD policy",
  findings: ['mixed.docker_forward_drop_breaks_podman_ingress'],
  docs: 'https://github.com/containers/netavark/issues/532',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { traffic, firewall, uplink, limits } = loaded.inputs;
    const publishing = traffic.networks.filter(
      (network) => network.writer !== 'docker' && network.containers.some((container) => container.publishedPorts.some((port) => port.hostPort > 0)),
    );
    if (publishing.length === 0) return notApplicable('no running rootful podman container publishes a port');
    const split = bothFlavoursInUse(firewall.model);
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const network of publishing) {
      const blocked: string[] = [];
      let dropper: Decider | undefined;
      for (const container of network.containers) {
        for (const port of container.publishedPorts) {
          // A port bound to loopback is reached from the host only, which does not cross the forward hook.
          if (!(port.hostPort > 0) || port.hostIp?.startsWith('127.')) continue;
          const path = publishedPortPath({ address: container.address, bridge: network.bridge }, { protocol: port.protocol, port: port.containerPort }, uplink, port.hostPort);
          const evaluation = evaluatePath(firewall.model, path);
          checked.push(`${container.name} ${port.hostPort}/${port.protocol}: ${evaluation.verdict}`);
          if (evaluation.verdict === 'unknown') limits.push(undecidedLimit(evaluation, networkLabel(network)));
          if (evaluation.verdict !== 'drop' || evaluation.decidedBy === null || dropOwner(firewall.model, evaluation.decidedBy) !== 'docker-policy') continue;
          dropper = evaluation.decidedBy;
          blocked.push(`${container.name}: host port ${port.hostPort}/${port.protocol} → ${container.address}:${port.containerPort}`);
        }
      }
      if (dropper === undefined) continue;
      findings.push(
        finding('mixed.docker_forward_drop_breaks_podman_ingress', {
          subject: networkSubject(network, network.containers.map((container) => container.name)),
          title: `Podman ports published on ${networkLabel(network)} are unreachable from other machines: docker's FORWARD DROP policy`,
          detail: `New connections from outside to ${blocked.join(', ')} reach the forward hook after DNAT; ${network.writer} accepts only replies and outgoing traffic of ${network.network.name}, so they fall through to the DROP policy docker set. From the host itself the ports still answer.`,
          evidence: [deciderEvidence(firewall.model, dropper)],
          fix: { commands: [iptablesInsertCommand(dropper, 'DOCKER-USER', { oif: network.bridge, dnat: true }, split)] },
        }),
      );
    }
    return verdict(findings, `podman published ports: ${checked.join('; ')}`, limits);
  },
} satisfies Check;
