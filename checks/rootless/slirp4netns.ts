import { containersConf } from '../../src/facts/containers-conf.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { podmanContainers, podmanState } from '../../src/facts/podman.js';
import { rootlessNetworkCmdOf, rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'rootless.slirp4netns_missing': {
    severity: 'error',
    title: 'slirp4netns is missing: rootless containers get no network',
    explanation:
      'Rootless podman gives containers their network through slirp4netns when that is its rootless network command (the default of podman 4, or `default_rootless_network_cmd = "slirp4netns"`) or a container asks for it (`--network slirp4netns`). Without it every such rootless `podman run` fails ("could not find slirp4netns").',
    cause: 'slirp4netns is only recommended by the podman package, so a minimal install lacks it.',
    fix: 'Install slirp4netns (and uidmap for rootless podman in general).',
    docs: 'https://github.com/containers/podman/blob/main/rootless.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.slirp4netns',
  title: 'slirp4netns for rootless networking',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/rootless.md',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    if (rootless.info.slirp4netnsExecutable !== '')
      return verdict([], `podman uses ${rootless.info.slirp4netnsExecutable}`);
    const conf = await facts.get(containersConf);
    const networkCmd = rootlessNetworkCmdOf(rootless.info, conf);
    let neededBy = `the rootless network command (${networkCmd.from})`;
    if (networkCmd.command !== 'slirp4netns') {
      // Podman 5 uses pasta, but a container may still ask for slirp4netns with --network slirp4netns.
      const containers = await facts.get(podmanContainers);
      const inSlirpMode = containers.ok
        ? containers.items.filter((container) => container.networkMode === 'slirp4netns').map((item) => item.name)
        : [];
      if (inSlirpMode.length === 0)
        return notApplicable(
          `rootless podman uses ${networkCmd.command} (${networkCmd.from})${containers.ok ? ' and no running container asks for slirp4netns' : ''}: slirp4netns is not needed`,
        );
      neededBy = `running containers with --network slirp4netns: ${inSlirpMode.join(', ')}`;
    }
    const lookup = await findExecutable(host, 'slirp4netns', [
      ...conf.helperBinariesDirs,
      ...systemSearchPath(host.context),
    ]);
    if (lookup.unreadable.length > 0 && !lookup.found)
      return cannotDecide(`could not examine ${lookup.unreadable.join(', ')}`);
    const podman = await facts.get(podmanState);
    return verdict(
      [
        finding('rootless.slirp4netns_missing', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user },
          detail: `It is needed by ${neededBy}.`,
          title: lookup.found ? `slirp4netns is not executable (${lookup.found.path})` : 'slirp4netns is not installed',
          evidence: [
            ...(podman.kind === 'ok' ? podman.evidence : []),
            { source: 'command', what: 'podman info --format json', excerpt: 'host.slirp4netns.executable: ""' },
            { source: 'stat', what: lookup.searched.join(' '), excerpt: describeLookup(lookup) },
          ],
          fix: {
            commands: lookup.found
              ? [shellLine(['chmod', '0755', lookup.found.path])]
              : ['apt-get install --reinstall -y slirp4netns uidmap'],
          },
        }),
      ],
      'podman found no slirp4netns',
    );
  },
} satisfies Check;
