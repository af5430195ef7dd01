import {
  bothFlavoursInUse,
  deciderEvidence,
  evaluateNetworkPath,
  firewallInputs,
  firewallVerdict,
  networkLabel,
  networkSubject,
} from '../../src/check-support/firewall.js';
import { iptablesInsertCommand } from '../../src/netfilter/fixes.js';
import type { Decider } from '../../src/netfilter/model.js';
import { dropOwner } from '../../src/netfilter/owners.js';
import { publishedPortPath } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import type { PathEvaluation } from '../../src/netfilter/paths.js';

const FINDINGS = {
  'mixed.docker_forward_drop_breaks_podman_ingress': {
    severity: 'warning',
    title: "Docker's FORWARD DROP policy blocks podman's published ports",
    explanation:
      "When dockerd has to turn IP forwarding on itself, it sets the iptables FORWARD policy to DROP and accepts only its own networks. Rootful podman (netavark 1.x, CNI) accepts replies and outgoing traffic of its networks, but has no rule for new connections that arrive through a published port. Those fall through to docker's DROP policy: a podman port published with -p answers from the host itself (that traffic does not cross the forward hook) but not from any other machine.",
    cause:
      'Docker and rootful podman run on the same host, and dockerd started while net.ipv4.ip_forward was 0 (for example at boot, before podman ran).',
    fix: "Accept connections to podman's published ports in DOCKER-USER (the chain docker leaves to administrators, evaluated first), and persist that rule with a unit that runs after docker; or make sure forwarding is on before dockerd starts so that it leaves the policy alone.",
    docs: 'https://github.com/containers/netavark/issues/532',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'mixed.docker-forward-podman-ingress',
  title: "Podman's published ports and docker's FORWARD policy",
  findings: FINDINGS,
  docs: 'https://github.com/containers/netavark/issues/532',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, uplink } = inputs;
    const publishing = traffic.networks.filter(
      (network) =>
        network.writer !== 'docker' &&
        network.containers.some((container) => container.publishedPorts.some((port) => port.hostPort > 0)),
    );
    if (publishing.length === 0) return notApplicable('no running rootful podman container publishes a port');
    const split = bothFlavoursInUse(firewall.model);
    const findings: Finding[] = [];
    for (const network of publishing) {
      const blocked: string[] = [];
      let dropper: Decider | undefined;
      for (const container of network.containers) {
        for (const port of container.publishedPorts) {
          // A port bound to loopback is reached from the host only, which does not cross the forward hook.
          if (!(port.hostPort > 0) || port.hostIp?.startsWith('127.')) continue;
          const path = publishedPortPath(
            { address: container.address, bridge: network.bridge },
            { protocol: port.protocol, port: port.containerPort },
            uplink,
            port.hostPort,
          );
          const evaluation = evaluateNetworkPath(
            inputs,
            network,
            path,
            (done: PathEvaluation) => `${container.name} ${port.hostPort}/${port.protocol}: ${done.verdict}`,
          );
          if (
            evaluation.verdict !== 'drop' ||
            evaluation.decidedBy === null ||
            dropOwner(firewall.model, evaluation.decidedBy) !== 'docker-policy'
          )
            continue;
          dropper = evaluation.decidedBy;
          blocked.push(
            `${container.name}: host port ${port.hostPort}/${port.protocol} → ${container.address}:${port.containerPort}`,
          );
        }
      }
      if (dropper === undefined) continue;
      findings.push(
        finding('mixed.docker_forward_drop_breaks_podman_ingress', {
          subject: networkSubject(
            network,
            network.containers.map((container) => container.name),
          ),
          title: `Podman ports published on ${networkLabel(network)} are unreachable from other machines: docker's FORWARD DROP policy`,
          detail: `New connections from outside to ${blocked.join(', ')} reach the forward hook after DNAT; ${network.writer} accepts only replies and outgoing traffic of ${network.network.name}, so they fall through to the DROP policy docker set. From the host itself the ports still answer.`,
          evidence: [deciderEvidence(firewall.model, dropper)],
          fix: {
            commands: [iptablesInsertCommand(dropper, 'DOCKER-USER', { oif: network.bridge, dnat: true }, split)],
          },
        }),
      );
    }
    return firewallVerdict(inputs, findings, 'podman published ports: ');
  },
} satisfies Check;
