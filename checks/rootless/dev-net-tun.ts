import { isReadWritableBy, modeString } from '../../src/facts/files.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { writeFileLine } from '../../src/core/shell.js';

const TUN = '/dev/net/tun';
const UDEV_RULES_DIR = '/etc/udev/rules.d';
const UDEV_RULE = writeFileLine(`${UDEV_RULES_DIR}/50-tun-rootless.rules`, ['KERNEL=="tun", MODE="0666"']);

const FINDINGS = {
  'rootless.dev_net_tun': {
    severity: 'error',
    title: 'Rootless networking cannot open /dev/net/tun',
    explanation:
      'Rootless networking (slirp4netns, and pasta, podman 5\'s default) creates a TAP device through /dev/net/tun for every rootless network namespace. When the device node is missing or not read-write for the user, rootless containers fail to start with `open("/dev/net/tun"): Permission denied` (slirp4netns), `Failed to open() /dev/net/tun: Permission denied` (pasta) or `No such device`.',
    cause:
      'The tun device node has restrictive permissions, is missing (a container or LXC host without it), or the tun module is not available.',
    fix: 'Make the node read-write for users (mode 0666), create it if missing, or load the tun module.',
    docs: 'https://github.com/containers/podman/issues/14701',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.dev-net-tun',
  title: '/dev/net/tun for rootless networking',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/issues/14701',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    const tun = await host.stat(TUN);
    const subject = { engine: 'podman' as const, scope: 'rootless' as const, user: host.context.user, path: TUN };
    if (!tun.ok) {
      if (tun.error.code !== 'ENOENT') return cannotDecide(`${TUN}: ${tun.error.message}`);
      return verdict(
        [
          finding('rootless.dev_net_tun', {
            subject,
            title: `${TUN} does not exist`,
            evidence: [{ source: 'stat', what: TUN, excerpt: 'No such file or directory' }],
            fix: { commands: ['modprobe tun', `mkdir -p /dev/net && mknod -m 0666 ${TUN} c 10 200`] },
          }),
        ],
        `${TUN} is missing`,
      );
    }
    const excerpt = `${modeString(tun.stat)}${tun.stat.rdev ? ` device ${tun.stat.rdev.major}:${tun.stat.rdev.minor}` : ''}`;
    const usable = tun.stat.type === 'char' && isReadWritableBy(tun.stat, host.context);
    if (usable) return verdict([], `${TUN}: ${excerpt}, read-write for ${host.context.user}`);
    // A udev rule keeps the mode across reboots, but only where udev runs: without /etc/udev/rules.d the
    // printf would fail ("No such file or directory") and a rule would change nothing.
    const rules = await host.stat(UDEV_RULES_DIR);
    const persist = rules.ok && rules.stat.type === 'directory' ? [UDEV_RULE] : [];
    return verdict(
      [
        finding('rootless.dev_net_tun', {
          subject,
          title:
            tun.stat.type === 'char'
              ? `${TUN} is not read-write for ${host.context.user}`
              : `${TUN} is not a character device`,
          detail: `Mode and owner: ${excerpt}; ${host.context.user} is uid ${host.context.uid}, groups ${[host.context.gid, ...host.context.groups].join(' ')}.`,
          evidence: [{ source: 'stat', what: TUN, excerpt }],
          fix: { commands: [`chmod 0666 ${TUN}`, ...persist] },
        }),
      ],
      `${TUN}: ${excerpt}`,
    );
  },
} satisfies Check;
