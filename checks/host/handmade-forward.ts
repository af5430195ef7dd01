import { handmadeInputs, segmentSubject } from '../../src/check-support/handmade.js';
import { interfaceSysctl, sysctl } from '../../src/facts/files.js';
import { routedOut, segmentLabel } from '../../src/facts/netns.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { shellLine, writeFileLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import ipForward from './ip-forward.js';

const FINDINGS = {
  'host.ip_forward_disabled': ipForward.findings['host.ip_forward_disabled'],
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

const PERSIST = writeFileLine('/etc/sysctl.d/99-container-forwarding.conf', ['net.ipv4.ip_forward = 1']);

export default {
  id: 'host.handmade-forward',
  title: 'IPv4 forwarding for hand-made namespaces routed through the host',
  findings: FINDINGS,
  docs: ipForward.docs,
  async run({ facts }) {
    const loaded = await handmadeInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { networks } = loaded;
    const routed = networks.segments.filter((segment) => routedOut(segment).length > 0);
    if (routed.length === 0)
      return notApplicable('no hand-made namespace routes beyond its bridge or veth through the host');
    const global = await facts.get(sysctl('net.ipv4.ip_forward'));
    if (!global.ok) return cannotDecide(global.reason);
    const perInterface = await Promise.all(
      routed.map((segment) => facts.get(interfaceSysctl('ipv4', segment.host.name, 'forwarding'))),
    );
    const findings: Finding[] = [];
    const limits = [...networks.unreadable];
    const checked: string[] = [];
    for (const [index, segment] of routed.entries()) {
      const value = perInterface[index]!;
      const namespaces = routedOut(segment).map(({ member }) => member.namespace);
      const label = `hand-made ${segmentLabel(segment)}`;
      if (!value.ok) {
        limits.push(value.reason);
        continue;
      }
      checked.push(`${label}: ${value.value.name} = ${value.value.raw}`);
      if (global.value.raw === '1' && value.value.raw === '1') continue;
      const off = [global.value, value.value].filter((item) => item.raw !== '1');
      findings.push(
        finding('host.ip_forward_disabled', {
          subject: segmentSubject(segment, namespaces),
          title:
            global.value.raw === '1'
              ? `IPv4 forwarding is disabled on ${segment.host.name}`
              : `IPv4 forwarding is disabled (net.ipv4.ip_forward = 0): ${label} is routed through the host`,
          detail: `Namespaces ${namespaces.join(', ')} route through the host's address on ${segment.host.name}; ${off.map((item) => `${item.name} = ${item.raw}`).join(', ')}.`,
          evidence: [
            fileEvidence(global.value.path, global.value.raw),
            fileEvidence(value.value.path, value.value.raw),
          ],
          fix: {
            commands: [
              ...off.map((item) => shellLine(['sysctl', '-w', `${item.name}=1`])),
              ...(global.value.raw === '1' ? [shellLine(['sysctl', '-w', 'net.ipv4.conf.default.forwarding=1'])] : []),
              PERSIST,
            ],
          },
        }),
      );
    }
    return verdict(findings, `net.ipv4.ip_forward = ${global.value.raw}; ${checked.join('; ')}`, limits);
  },
} satisfies Check;
