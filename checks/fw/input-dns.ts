import {
  bothFlavoursInUse,
  deciderEvidence,
  droppedWhere,
  evaluateNetworkPath,
  firewallInputs,
  firewallVerdict,
  firstEndpoint,
  networkLabel,
  networkSubject,
} from '../../src/check-support/firewall.js';
import { acceptCommand } from '../../src/netfilter/fixes.js';
import { dnsToGatewayPath } from '../../src/netfilter/paths.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable } from '../../src/core/outcome.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import type { PathEvaluation } from '../../src/netfilter/paths.js';

const FINDINGS = {
  'fw.input_drop_blocks_bridge_dns': {
    severity: 'error',
    title: "The host firewall drops DNS queries from containers to their network's DNS server",
    explanation:
      "On a rootful podman network with DNS, container names are answered by aardvark-dns (netavark) or dnsmasq (CNI dnsname), which listen on the host itself, on the network's gateway address. Queries from containers therefore cross the host's input hook. When that path drops them, every lookup in the containers times out, names of other containers and outside names alike, while traffic by address still works. netavark before 1.8 and the CNI plugins add no input rule that lets these queries in; docker is not affected, because its DNS server answers inside each container.",
    cause:
      "An input drop policy or drop rule with no accept for udp/53 from the container bridge: `iptables -P INPUT DROP`, ufw's default incoming deny, firewalld, or an nftables input chain with `policy drop`.",
    fix: 'Accept DNS (udp and tcp port 53) from the container bridges in the table that drops it, or upgrade to netavark 1.8 or later, which adds that rule itself.',
    docs: 'https://github.com/containers/netavark/issues/742',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'fw.input-dns',
  title: "Containers' DNS queries to their network's gateway and the host's input hook",
  findings: FINDINGS,
  docs: 'https://github.com/containers/netavark/issues/742',
  async run({ facts }) {
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, limits } = inputs;
    // Docker's DNS server answers inside each container (127.0.0.11): only podman's listens on the host.
    const withHostDns = traffic.networks.filter((network) => network.writer !== 'docker' && network.network.dnsEnabled);
    if (withHostDns.length === 0) return notApplicable('no rootful podman network with DNS has a running container');
    const split = bothFlavoursInUse(firewall.model);
    const findings: Finding[] = [];
    for (const network of withHostDns) {
      const gateway = network.network.subnets.find(
        (subnet) => subnet.gateway !== undefined && !subnet.gateway.includes(':'),
      )?.gateway;
      if (gateway === undefined) {
        limits.push(`${networkLabel(network)} has no IPv4 gateway listed`);
        continue;
      }
      const from = firstEndpoint(network);
      const evaluation = evaluateNetworkPath(
        inputs,
        network,
        dnsToGatewayPath(from, gateway),
        (done: PathEvaluation) => `${networkLabel(network)}: ${done.verdict}`,
      );
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
    return firewallVerdict(inputs, findings, 'DNS to the gateway: ');
  },
} satisfies Check;
