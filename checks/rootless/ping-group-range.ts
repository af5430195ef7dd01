import { sysctl } from '../../src/facts/files.js';
import { parseRange } from '../../src/facts/processes.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { writeFileLine } from '../../src/core/shell.js';

const FINDINGS = {
  'rootless.ping_group_range': {
    severity: 'warning',
    title: "The user's groups are outside net.ipv4.ping_group_range",
    explanation:
      "slirp4netns and pasta forward a rootless container's pings with unprivileged ICMP (ping) sockets on the host, which the kernel allows only to groups inside net.ipv4.ping_group_range. None of this user's groups is inside it, so pings from rootless containers get 100 % loss while TCP and UDP work.",
    cause:
      'The kernel default of ping_group_range is "1 0" (no group), and Debian 12 ships no sysctl file that widens it.',
    fix: "Widen net.ipv4.ping_group_range to include the user's groups, and persist it in /etc/sysctl.d.",
    docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.ping-group-range',
  title: 'ICMP for rootless containers (ping_group_range)',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/troubleshooting.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
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
          evidence: [
            fileEvidence(range.value.path, range.value.raw),
            { source: 'process', what: `groups of ${host.context.user}`, excerpt: gids.join(' ') },
          ],
          fix: {
            commands: [
              'sysctl -w net.ipv4.ping_group_range="0 2147483647"',
              writeFileLine('/etc/sysctl.d/99-rootless-ping.conf', ['net.ipv4.ping_group_range = 0 2147483647']),
            ],
          },
        }),
      ],
      `ping_group_range "${range.value.raw}" excludes groups ${gids.join(' ')}`,
    );
  },
} satisfies Check;
