import { rootfulBridgeNetworks } from '../../src/facts/engines.js';
import { interfaceSysctl, sysctl } from '../../src/facts/files.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine, writeFileLine } from '../../src/core/shell.js';

const PERSIST = writeFileLine('/etc/sysctl.d/99-container-forwarding.conf', ['net.ipv4.ip_forward = 1']);

const FINDINGS = {
  'host.ip_forward_disabled': {
    severity: 'error',
    title: 'IPv4 forwarding is disabled',
    explanation:
      'Rootful container networks are bridges behind the host: every packet from a container to anything beyond the host (and every packet to a published port from another machine) is routed by the host kernel. With net.ipv4.ip_forward = 0, or forwarding off on the bridge, the kernel drops those packets: containers reach each other on the same bridge but not the outside.',
    cause:
      'A sysctl file (hardening profiles often set net.ipv4.ip_forward = 0), `sysctl --system`, or a network manager turned forwarding off after the engine had turned it on.',
    fix: 'Turn forwarding on now with sysctl and persist it in /etc/sysctl.d so that the next boot or `sysctl --system` keeps it.',
    docs: 'https://docs.docker.com/engine/daemon/troubleshoot/#ip-forwarding-problems',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'host.ip-forward',
  title: 'IPv4 forwarding for rootful container networks',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/daemon/troubleshoot/#ip-forwarding-problems',
  async run({ facts }) {
    const bridges = await facts.get(rootfulBridgeNetworks);
    if (bridges.networks.length === 0) {
      if (bridges.unknown.length > 0)
        return cannotDecide(`no rootful network could be listed (${bridges.unknown.join('; ')})`);
      return notApplicable('no rootful bridge network (docker or rootful podman) on this host');
    }
    const global = await facts.get(sysctl('net.ipv4.ip_forward'));
    if (!global.ok) return cannotDecide(global.reason);
    const names = bridges.networks.map((network) => `${network.engine}/${network.name}`).join(', ');
    if (global.value.raw !== '1') {
      return verdict(
        [
          finding('host.ip_forward_disabled', {
            subject: {},
            title: 'IPv4 forwarding is disabled (net.ipv4.ip_forward = 0)',
            detail: `Rootful bridge networks on this host: ${names}.`,
            evidence: [fileEvidence(global.value.path, global.value.raw)],
            fix: { commands: ['sysctl -w net.ipv4.ip_forward=1', PERSIST] },
          }),
        ],
        'net.ipv4.ip_forward is 0',
      );
    }
    // A bridge created while conf.default.forwarding was 0 keeps forwarding off on its own.
    const withInterface = bridges.networks.filter((network) => network.bridge !== undefined);
    const perBridge = await Promise.all(
      withInterface.map((network) => facts.get(interfaceSysctl('ipv4', network.bridge!, 'forwarding'))),
    );
    const findings = [];
    const limits: string[] = [];
    for (const [index, value] of perBridge.entries()) {
      const network = withInterface[index]!;
      if (!value.ok) {
        // The bridge exists only while a container uses the network: no interface, nothing to forward.
        if (value.code !== 'ENOENT') limits.push(value.reason);
        continue;
      }
      if (value.value.raw !== '1') {
        findings.push(
          finding('host.ip_forward_disabled', {
            subject: {
              engine: network.engine,
              scope: network.scope,
              network: network.name,
              interface: network.bridge!,
            },
            title: `IPv4 forwarding is disabled on ${network.bridge}`,
            detail: `net.ipv4.ip_forward is 1, but forwarding is off on the bridge of ${network.engine} network ${network.name}.`,
            evidence: [
              fileEvidence(global.value.path, global.value.raw),
              fileEvidence(value.value.path, value.value.raw),
            ],
            fix: {
              commands: [
                shellLine(['sysctl', '-w', `${value.value.name}=1`]),
                'sysctl -w net.ipv4.conf.default.forwarding=1',
                PERSIST,
              ],
            },
          }),
        );
      }
    }
    return verdict(findings, `net.ipv4.ip_forward = 1; bridges checked: ${names}`, [...limits, ...bridges.unknown]);
  },
} satisfies Check;
