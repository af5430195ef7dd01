import { containersConf } from '../../src/facts/containers-conf.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { podmanState } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'rootless.slirp4netns_missing': {
    severity: 'error',
    title: 'slirp4netns is missing: rootless containers get no network',
    explanation:
      'Rootless podman 4 gives containers their network through slirp4netns. Without it every rootless `podman run` with networking fails ("could not find slirp4netns").',
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
