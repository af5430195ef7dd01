import { bridgesInUse, segmentPaths, segmentSubject } from '../../src/check-support/handmade.js';
import { bothFlavoursInUse, deciderEvidence, droppedWhere } from '../../src/check-support/firewall.js';
import { bridgeNfCallIptables, defaultRoute, firewallModel } from '../../src/facts/firewall.js';
import { handmadeNetworks, segmentLabel } from '../../src/facts/netns.js';
import { iptablesInsertCommand } from '../../src/netfilter/fixes.js';
import { dropOwner } from '../../src/netfilter/owners.js';
import { evaluatePath, type PathEvaluation } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'docker.forward_drop_breaks_other_bridges': {
    severity: 'error',
    title: "Docker's FORWARD DROP policy drops the traffic of a bridge docker does not own",
    explanation:
      "When dockerd has to turn IP forwarding on itself, it sets the iptables FORWARD policy to DROP and accepts only the traffic of its own networks. Every other bridge on the host loses its forwarded traffic: a hand-made bridge, libvirt's virbr0, LXC's lxcbr0. Their namespaces, VMs or containers can no longer reach the outside, and with br_netfilter (bridge-nf-call-iptables = 1) not even each other across the bridge, although nothing about the bridge changed.",
    cause:
      'dockerd was installed or started while net.ipv4.ip_forward was 0 (at boot, before anything else turned forwarding on), next to a bridge that worked until then.',
    fix: "Accept the bridge's traffic in DOCKER-USER, the chain docker leaves to administrators and evaluates first (traffic from the bridge, and replies to it), and keep those rules where this host keeps its firewall rules; or make sure forwarding is on before dockerd starts, so that it leaves the policy alone.",
    docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-on-a-router',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'docker.forward-drop-other-bridges',
  title: "Bridges docker does not own and docker's FORWARD policy",
  findings: FINDINGS,
  docs: FINDINGS['docker.forward_drop_breaks_other_bridges'].docs,
  async run({ facts }) {
    const read = await facts.get(handmadeNetworks);
    if (!read.ok) return cannotDecide(read.reason);
    const bridges = bridgesInUse(read.value);
    if (bridges.length === 0) return notApplicable('no bridge outside the container engines has a port that is up');
    const [firewall, route, bridgeNf] = await Promise.all([
      facts.get(firewallModel),
      facts.get(defaultRoute),
      facts.get(bridgeNfCallIptables),
    ]);
    if (!firewall.ok) return cannotDecide(firewall.reason);
    const { model } = firewall;
    const uplink = route.ok ? route.interface : undefined;
    const limits = [...read.value.unreadable, ...firewall.limits];
    if (!route.ok) limits.push(`the default route could not be read (${route.reason})`);
    if (!bridgeNf.ok) limits.push(bridgeNf.reason);
    const split = bothFlavoursInUse(model);
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const segment of bridges) {
      const evaluations = segmentPaths(segment, uplink, bridgeNf.ok && bridgeNf.value).map((path) =>
        evaluatePath(model, path),
      );
      checked.push(
        `${segment.host.name}: ${evaluations.map((item) => `${item.path.kind} ${item.verdict}`).join(', ') || 'no address to evaluate'}`,
      );
      const dropped = evaluations.filter(
        (item): item is PathEvaluation & { decidedBy: NonNullable<PathEvaluation['decidedBy']> } =>
          item.verdict === 'drop' && item.decidedBy !== null && dropOwner(model, item.decidedBy) === 'docker-policy',
      );
      const decider = dropped[0]?.decidedBy;
      if (decider === undefined) continue;
      const namespaces = segment.members.map((member) => member.namespace);
      const attached = [
        ...namespaces.map((name) => `namespace ${name}`),
        ...segment.otherPorts.map((port) => `port ${port.name}`),
      ];
      findings.push(
        finding('docker.forward_drop_breaks_other_bridges', {
          subject: segmentSubject(segment, namespaces),
          title: `Docker's FORWARD DROP policy drops the traffic of ${segmentLabel(segment)} (${[...new Set(dropped.map((item) => item.path.kind))].join(', ')})`,
          detail: `No docker network owns ${segment.host.name} (on it: ${attached.join(', ') || 'nothing readable'}). Dropped by ${droppedWhere(decider)}: ${dropped.map((item) => item.path.description).join('; ')}.`,
          evidence: [...(bridgeNf.ok ? [bridgeNf.evidence] : []), deciderEvidence(model, decider)],
          fix: {
            commands: [
              iptablesInsertCommand(decider, 'DOCKER-USER', { iif: segment.host.name }, split),
              iptablesInsertCommand(decider, 'DOCKER-USER', { oif: segment.host.name, established: true }, split),
            ],
          },
        }),
      );
    }
    return verdict(findings, `bridges outside the engines: ${checked.join('; ')}`, limits);
  },
} satisfies Check;
