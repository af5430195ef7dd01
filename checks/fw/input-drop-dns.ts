import { bothFlavoursInUse, deciderEvidence, droppedWhere, firewallInputs, firstEndpoint, networkLabel, networkSubject, undecidedLimit } from '../../src/firewall/check-support.js';
import { acceptCommand } from '../../src/firewall/fixes.js';
import { dnsToGatewayPath, evaluatePath } from '../../src/firewall/paths.js';
import { finding } from '../../src/finding.js';
import { notApplicable, verdict } from '../../src/outcome.js';
import type { Check, Finding } from '../../src/types.js';

export default {
  id: 'fw.input-dns',
  title: "Containers' DNS queries to their network's gateway and the host's input hook",
  findings: ['fw.input_drop_blocks_bridge_dns'],
  docs: 'https://github.com/containers/netavark/issues/742',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { traffic, firewall, limits } = loaded.inputs;
    // Docker's DNS server answers inside each container (127.0.0.11): only podman's listens on the host.
    const withHostDns = traffic.networks.filter((network) => network.writer !== 'docker' && network.network.dnsEnabled);
    if (withHostDns.length === 0) return notApplicable('no rootful podman network with DNS has a running container');
    const split = bothFlavoursInUse(firewall.model);
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const network of withHostDns) {
      const gateway = network.network.subnets.find((subnet) => subnet.gateway !== undefined && !subnet.gateway.includes(':'))?.gateway;
      if (gateway === undefined) {
        limits.push(`${networkLabel(network)} has no IPv4 gateway listed`);
        continue;
      }
      const from = firstEndpoint(network);
      const evaluation = evaluatePath(firewall.model, dnsToGatewayPath(from, gateway));
      checked.push(`${networkLabel(network)}: ${evaluation.verdict}`);
      if (evaluation.verdict === 'unknown') limits.push(undecidedLimit(evaluation, networkLabel(network)));
      const dropper = evaluation.decidedBy;
      if (evaluation.verdict !== 'drop' || dropper === null) continue;
      const names = network.containers.map((container) => container.name);
      findings.push(
        finding('fw.input_drop_blocks_bridge_dns', {
          subject: networkSubject(network, names),
          title: `DNS queries from ${networkLabel(network)} to ${gateway}:53 are dropped by the host's ${dropper.hook} hook`,
          detail: `${evaluation.path.description} are dropped by ${droppedWhere(dropper)}, so names do not resolve in ${names.join(', ')}. The DNS server (${network.writer === 'cni' ? 'dnsmasq of the dnsname plugin' : 'aardvark-dns'}) listens on the host at ${gateway}.`,
          evidence: [deciderEvidence(firewall.model, dropper)],
          fix: {
            commands: [
              acceptCommand(dropper, { iif: network.bridge, protocol: 'udp', dport: 53 }, split),
              acceptCommand(dropper, { iif: network.bridge, protocol: 'tcp', dport: 53 }, split),
            ],
          },
        }),
      );
    }
    return verdict(findings, `DNS to the gateway: ${checked.join('; ')}`, limits);
  },
} satisfies Check;
