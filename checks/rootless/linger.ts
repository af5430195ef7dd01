import { systemdRunning } from '../../src/facts/files.js';
import { podmanContainers } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import { operands, shellLine } from '../../src/core/shell.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://github.com/containers/podman/blob/main/troubleshooting.md';
/** logind keeps a file per lingering user here; `loginctl enable-linger` creates it. */
const LINGER_DIR = '/var/lib/systemd/linger';

const FINDINGS = {
  'rootless.no_linger': {
    severity: 'warning',
    title: "Rootless containers run without linger: they stop when the user's last session ends",
    explanation:
      "A rootless user's containers live in that user's login: systemd starts a user manager (user@UID.service) and the runtime folder /run/user/UID with the user's first session, and, unless the user lingers, stops them when the last session ends. Podman's containers, conmon, the rootless network namespace, slirp4netns or pasta, rootlessport and aardvark-dns go with them: published ports stop answering and names stop resolving as soon as the user logs out (after a short delay), and the containers are back only at the next login.",
    cause:
      'Containers started from an SSH or console session (podman run -d, or podman compose up -d) by a user for whom `loginctl enable-linger` was never run.',
    fix: 'Let the user linger (loginctl enable-linger USER, as root or as the user), so that the user manager starts at boot and outlives the sessions; run long-lived containers from systemd units (quadlet, podman generate systemd) so that they also come back after a reboot.',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.linger',
  title: 'Rootless containers outlive the login session (linger)',
  findings: FINDINGS,
  docs: DOCS,
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    if (!(await facts.get(systemdRunning)))
      return notApplicable("systemd does not run on this host: no login manager stops the user's processes at logout");
    const user = host.context.user;
    const lingerFile = `${LINGER_DIR}/${user}`;
    const [linger, containers] = await Promise.all([host.stat(lingerFile), facts.get(podmanContainers)]);
    if (linger.ok) return verdict([], `${user} lingers (${lingerFile} exists)`);
    if (linger.error.code !== 'ENOENT') return cannotDecide(`${lingerFile}: ${linger.error.message}`);
    if (!containers.ok) return cannotDecide(containers.reason);
    const running = containers.items.filter((container) => container.running);
    if (running.length === 0) return verdict([], `${user} does not linger, but runs no container now`);
    const names = running.map((container) => container.name);
    const ports = running.flatMap((container) =>
      container.publishedPorts.map((port) => `${container.name} ${port.hostPort}/${port.protocol}`),
    );
    return verdict(
      [
        finding('rootless.no_linger', {
          subject: { engine: 'podman', scope: 'rootless', user, containers: names },
          title: `${user} runs ${running.length} rootless container(s) without linger: they stop when ${user}'s last session ends`,
          detail: `Running now: ${names.join(', ')}.${ports.length > 0 ? ` Published ports that stop answering at logout: ${ports.join(', ')}.` : ''}`,
          evidence: [
            { source: 'stat', what: lingerFile, excerpt: `does not exist: ${user} does not linger` },
            { source: 'command', what: containers.command, excerpt: `running: ${names.join(', ')}` },
          ],
          fix: { commands: [shellLine(['loginctl', 'enable-linger', ...operands(user)])] },
        }),
      ],
      `${user} does not linger; ${running.length} container(s) running`,
    );
  },
} satisfies Check;
