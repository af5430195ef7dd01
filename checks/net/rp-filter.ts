import { interfaceSysctl, sysctl } from '../../src/facts/files.js';
import { containerRpFilters } from '../../src/facts/processes.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { operands, shellLine, writeFileLine } from '../../src/core/shell.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://github.com/containers/netavark/pull/962';
const PERSIST_FILE = '/etc/sysctl.d/99-container-rp-filter.conf';
const STRICT = 1;

const FINDINGS = {
  'net.rp_filter_strict': {
    severity: 'warning',
    title: 'Strict reverse-path filtering drops the traffic of containers on several networks',
    explanation:
      "With rp_filter = 1 (strict), the kernel drops a packet that arrives on an interface other than the one it would use to answer the sender. A podman container on several networks with published ports breaks that rule: netavark forwards a published port to the container's address on each network, but the container answers through its default route, on its first network. The answer reaches the host on another bridge than the one the request left by, and strict filtering drops it, in the host and, inside the container, the request itself. Connections to the published port from other machines, or to a host address, time out; single-network containers are fine. The effective value of an interface is the larger of its own and `all`; a container's namespace takes its values from the host's all and default when it is created.",
    cause:
      "A hardening profile or sysctl file (CIS benchmarks, some distributions' defaults) that sets net.ipv4.conf.all.rp_filter and default.rp_filter to 1, on netavark before 1.11, which does not set its bridges and container interfaces to loose mode (2) itself.",
    fix: 'Use loose mode (2), which still drops packets from sources the host has no route to: set all and default to 2 now and persist it, then restart the affected containers so that their namespaces are made again with loose values (or upgrade netavark to 1.11 or later).',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

interface Exposure {
  name: string;
  pid: number;
  bridges: { network: string; bridge: string }[];
  ports: string[];
}

export default {
  id: 'net.rp-filter',
  title: 'Reverse-path filtering and containers on several networks',
  findings: FINDINGS,
  docs: DOCS,
  async run({ facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    // Docker publishes a port on one network only, the one that holds the default route: its answers go back the
    // way the request came.
    if (podman.scope !== 'rootful')
      return notApplicable("rootless networks live in the user's namespace: run netdoctor as root for rootful podman");
    const [networks, containers] = await Promise.all([facts.get(podmanNetworks), facts.get(podmanContainers)]);
    if (!networks.ok) return cannotDecide(networks.reason);
    if (!containers.ok) return cannotDecide(containers.reason);
    const bridgeOf = new Map(
      networks.items
        .filter((network) => network.driver === 'bridge' && network.bridge !== undefined)
        .map((network) => [network.name, network.bridge!]),
    );
    const exposed: Exposure[] = containers.items.flatMap((container) => {
      const bridges = container.networks.flatMap((attachment) => {
        const bridge = bridgeOf.get(attachment.network);
        return bridge !== undefined && attachment.ipAddress ? [{ network: attachment.network, bridge }] : [];
      });
      if (
        !container.running ||
        container.pid === undefined ||
        bridges.length < 2 ||
        container.publishedPorts.length === 0
      )
        return [];
      return [
        {
          name: container.name,
          pid: container.pid,
          bridges,
          ports: container.publishedPorts.map(
            (port) => `${port.hostIp ? `${port.hostIp}:` : ''}${port.hostPort}->${port.containerPort}/${port.protocol}`,
          ),
        },
      ];
    });
    if (exposed.length === 0)
      return notApplicable('no running podman container publishes ports while attached to two or more bridge networks');
    const all = await facts.get(sysctl('net.ipv4.conf.all.rp_filter'));
    if (!all.ok) return cannotDecide(all.reason);
    const limits: string[] = [];
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const container of exposed) {
      const evidence: Evidence[] = [];
      const strictOn: string[] = [];
      const bridgeValues = await Promise.all(
        container.bridges.map(({ bridge }) => facts.get(interfaceSysctl('ipv4', bridge, 'rp_filter'))),
      );
      for (const [index, value] of bridgeValues.entries()) {
        const bridge = container.bridges[index]!.bridge;
        if (!value.ok) {
          limits.push(value.reason);
          continue;
        }
        if (Math.max(Number(all.value.raw), Number(value.value.raw)) === STRICT) {
          strictOn.push(`host bridge ${bridge}`);
          evidence.push(fileEvidence(value.value.path, value.value.raw));
        }
      }
      if (strictOn.length > 0) evidence.unshift(fileEvidence(all.value.path, all.value.raw));
      const inside = await facts.get(containerRpFilters(container.pid, 'rootful'));
      if (inside.ok) {
        const containerAll = inside.value.values.get('all') ?? 0;
        const strictInside = [...inside.value.values.entries()]
          .filter(([name]) => name !== 'all' && name !== 'default' && name !== 'lo')
          .filter(([, value]) => Math.max(containerAll, value) === STRICT)
          .map(([name]) => name);
        if (strictInside.length > 0) {
          strictOn.push(`${strictInside.join(', ')} inside the container`);
          evidence.push({ source: 'command', what: inside.value.command, excerpt: inside.value.excerpt });
        }
      } else {
        limits.push(inside.reason);
      }
      checked.push(container.name);
      if (strictOn.length === 0) continue;
      findings.push(
        finding('net.rp_filter_strict', {
          subject: {
            engine: 'podman',
            scope: 'rootful',
            network: container.bridges.map((entry) => entry.network).join(', '),
            containers: [container.name],
          },
          title: `Strict reverse-path filtering on ${strictOn.join('; ')}: connections to ${container.name}'s published ports (${container.ports.join(', ')}) can be dropped`,
          detail: `${container.name} is on ${container.bridges.map((entry) => `${entry.network} (${entry.bridge})`).join(', ')}.`,
          evidence,
          fix: {
            commands: [
              shellLine(['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=2']),
              shellLine(['sysctl', '-w', 'net.ipv4.conf.default.rp_filter=2']),
              writeFileLine(PERSIST_FILE, ['net.ipv4.conf.all.rp_filter = 2', 'net.ipv4.conf.default.rp_filter = 2']),
              shellLine(['podman', 'restart', ...operands(container.name)]),
            ],
          },
        }),
      );
    }
    return verdict(
      findings,
      `net.ipv4.conf.all.rp_filter = ${all.value.raw}; containers on several networks with published ports: ${checked.join(', ') || 'none readable'}`,
      limits,
    );
  },
} satisfies Check;
