import { sysctl } from '../../src/facts/files.js';
import { parseRange } from '../../src/facts/process.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { fileEvidence, finding } from '../../src/finding.js';
import { cannotDecide, verdict } from '../../src/outcome.js';
import type { Check } from '../../src/types.js';

export default {
  id: 'rootless.ping-group-range',
  title: 'ICMP for rootless containers (ping_group_range)',
  findings: ['rootless.ping_group_range'],
  docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return rootless.outcome;
    const range = await facts.get(sysctl('net.ipv4.ping_group_range'));
    if (!range.ok) return cannotDecide(range.reason);
    const bounds = parseRange(range.value.raw);
    if (bounds === undefined) return cannotDecide(`${range.value.path} holds "${range.value.raw}", not a range`);
    const gids = [...new Set([host.context.gid, ...host.context.groups])];
    if (gids.some((gid) => gid >= bounds.low && gid <= bounds.high)) {
      return verdict([], `ping_group_range "${range.value.raw}" includes a group of ${host.context.user}`);
    }
    return verdict(
      [
        finding('rootless.ping_group_range', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user },
          title: `${host.context.user}'s groups (${gids.join(' ')}) are outside ping_group_range "${range.value.raw}"`,
          evidence: [fileEvidence(range.value.path, range.value.raw), { source: 'process', what: `groups of ${host.context.user}`, excerpt: gids.join(' ') }],
          fix: {
            commands: [
              `sysctl -w net.ipv4.ping_group_range="0 2147483647"`,
              `printf 'net.ipv4.ping_group_range = 0 2147483647\\n' > /etc/sysctl.d/99-rootless-ping.conf`,
            ],
          },
        }),
      ],
      `ping_group_range "${range.value.raw}" excludes groups ${gids.join(' ')}`,
    );
  },
} satisfies Check;
