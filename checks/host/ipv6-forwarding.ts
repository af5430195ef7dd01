import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import { interfaceSysctl, sysctl } from '../../src/facts/files.js';
import { describeRoute, ipv6DefaultRoutes } from '../../src/facts/ip.js';
import type { ContainerNetwork } from '../../src/facts/model.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { shellLine, writeFileLine } from '../../src/core/shell.js';
import type { Evidence } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.docker.com/engine/daemon/ipv6/';
const PERSIST_FILE = '/etc/sysctl.d/99-container-ipv6-forwarding.conf';

const FINDINGS = {
  'host.ipv6_forwarding_disabled': {
    severity: 'error',
    title: 'IPv6 forwarding is disabled while container networks use IPv6',
    explanation:
      'An IPv6 container network is a bridge behind the host: every IPv6 packet from a container to anything beyond the host, and to it from outside or from another bridge, is routed by the host kernel. With net.ipv6.conf.all.forwarding = 0 the kernel drops those packets: containers reach each other on the same bridge but not over IPv6 beyond it, and dual-stack clients that prefer IPv6 stall or fail before falling back to IPv4. The engines turn it on only when they set up an IPv6 network or container (netavark at each start, dockerd when it creates the network).',
    cause:
      'A sysctl file or hardening profile that sets net.ipv6.conf.all.forwarding = 0, `sysctl --system` after the engine started, or a network manager that turned it off.',
    fix: 'Turn IPv6 forwarding on now with sysctl and persist it in /etc/sysctl.d. Forwarding makes the kernel a router, which ignores router advertisements on an interface whose accept_ra is 1: an uplink that learns its IPv6 default route that way needs accept_ra = 2 first, or the host loses that route.',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

function hasIpv6Subnet(network: ContainerNetwork): boolean {
  return network.subnets.some((subnet) => subnet.subnet.includes(':'));
}

export default {
  id: 'host.ipv6-forwarding',
  title: 'IPv6 forwarding for rootful IPv6 container networks',
  findings: FINDINGS,
  docs: DOCS,
  async run({ facts }) {
    const bridges = await facts.get(rootfulBridgeNetworks);
    const ipv6 = bridges.networks.filter(hasIpv6Subnet);
    if (ipv6.length === 0) {
      if (bridges.unknown.length > 0)
        return cannotDecide(`no rootful network could be listed (${bridges.unknown.join('; ')})`);
      return notApplicable('no rootful bridge network has an IPv6 subnet');
    }
    const names = ipv6
      .map(
        (network) =>
          `${network.engine}/${network.name} (${network.subnets
            .filter((subnet) => subnet.subnet.includes(':'))
            .map((subnet) => subnet.subnet)
            .join(', ')})`,
      )
      .join(', ');
    const forwarding = await facts.get(sysctl('net.ipv6.conf.all.forwarding'));
    if (!forwarding.ok) {
      if (forwarding.code === 'ENOENT')
        return cannotDecide(
          `${forwarding.reason}: IPv6 is disabled in this kernel (ipv6.disable=1), so the IPv6 networks ${names} cannot work at all`,
        );
      return cannotDecide(forwarding.reason);
    }
    if (forwarding.value.raw === '1')
      return verdict([], `net.ipv6.conf.all.forwarding = 1; IPv6 networks: ${names}`, bridges.unknown);
    // A default route learned from router advertisements is dropped once forwarding is on, unless accept_ra = 2.
    const routes = await facts.get(ipv6DefaultRoutes);
    const limits = [...bridges.unknown];
    const advertised = routes.ok ? routes.value.items.filter((route) => route.protocol === 'ra' && route.dev) : [];
    if (!routes.ok) limits.push(`IPv6 default routes: ${routes.reason}`);
    const acceptRa = await Promise.all(
      [...new Set(advertised.map((route) => route.dev!))].map(async (dev) => ({
        dev,
        value: await facts.get(interfaceSysctl('ipv6', dev, 'accept_ra')),
      })),
    );
    const evidence: Evidence[] = [fileEvidence(forwarding.value.path, forwarding.value.raw)];
    const raCommands: string[] = [];
    const raLines: string[] = [];
    for (const { dev, value } of acceptRa) {
      if (!value.ok) {
        limits.push(value.reason);
        continue;
      }
      if (value.value.raw !== '1') continue;
      const route = advertised.find((candidate) => candidate.dev === dev)!;
      evidence.push({
        source: 'command',
        what: shellLine(['ip', '-6', 'route', 'show', 'default']),
        excerpt: describeRoute(route),
      });
      evidence.push(fileEvidence(value.value.path, value.value.raw));
      raCommands.push(shellLine(['sysctl', '-w', `${value.value.name}=2`]));
      raLines.push(`${value.value.name} = 2`);
    }
    return verdict(
      [
        finding('host.ipv6_forwarding_disabled', {
          subject: { network: ipv6.map((network) => network.name).join(', ') },
          title: `IPv6 forwarding is disabled (net.ipv6.conf.all.forwarding = ${forwarding.value.raw}) while ${ipv6.length} container network(s) use IPv6`,
          detail: `IPv6 container networks on this host: ${names}.${raCommands.length > 0 ? ` The IPv6 default route comes from router advertisements on an interface with accept_ra = 1: the fix sets it to 2 first, so that the route stays.` : ''}`,
          evidence,
          fix: {
            commands: [
              ...raCommands,
              shellLine(['sysctl', '-w', 'net.ipv6.conf.all.forwarding=1']),
              writeFileLine(PERSIST_FILE, [...raLines, 'net.ipv6.conf.all.forwarding = 1']),
            ],
          },
        }),
      ],
      `net.ipv6.conf.all.forwarding = ${forwarding.value.raw}; IPv6 networks: ${names}`,
      limits,
    );
  },
} satisfies Check;
