import { containersConf } from '../../src/facts/containers-conf.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { podmanState } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'rootless.pasta_missing': {
    severity: 'error',
    title: 'pasta is missing: rootless containers get no network',
    explanation:
      'Rootless podman 5 gives containers their network through pasta (its default `default_rootless_network_cmd`). Podman looks for the `pasta` binary in helper_binaries_dir and then in PATH, and without an executable one every rootless `podman run` with a network fails ("could not find pasta, the network namespace can\'t be configured"); only `--network none` still starts.',
    cause:
      'pasta comes in the passt package, which podman only recommends: a minimal install or `--no-install-recommends` lacks it. A binary that lost its execute bit is not found either.',
    fix: 'Install passt (it provides pasta), or make the binary executable again. Setting `default_rootless_network_cmd = "slirp4netns"` under [network] in containers.conf works around it where slirp4netns is installed.',
    docs: 'https://passt.top/passt/about/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.pasta',
  title: 'pasta for rootless networking',
  findings: FINDINGS,
  docs: 'https://passt.top/passt/about/',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    const command = rootless.info.rootlessNetworkCmd;
    if (command === '')
      return notApplicable(
        `podman ${rootless.info.version} does not report its rootless network command (before podman 5 it is slirp4netns)`,
      );
    if (command !== 'pasta') return notApplicable(`podman's rootless network command is ${command}, not pasta`);
    if (rootless.info.pastaExecutable !== '') return verdict([], `podman uses ${rootless.info.pastaExecutable}`);
    const conf = await facts.get(containersConf);
    const lookup = await findExecutable(host, 'pasta', [...conf.helperBinariesDirs, ...systemSearchPath(host.context)]);
    if (lookup.unreadable.length > 0 && !lookup.found)
      return cannotDecide(`could not examine ${lookup.unreadable.join(', ')}`);
    const podman = await facts.get(podmanState);
    return verdict(
      [
        finding('rootless.pasta_missing', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user },
          title: lookup.found ? `pasta is not executable (${lookup.found.path})` : 'pasta is not installed',
          detail: 'podman reports pasta as its rootless network command, but found no pasta binary.',
          evidence: [
            ...(podman.kind === 'ok' ? podman.evidence : []),
            {
              source: 'command',
              what: 'podman info --format json',
              excerpt: 'host.rootlessNetworkCmd: "pasta", host.pasta.executable: ""',
            },
            { source: 'stat', what: lookup.searched.join(' '), excerpt: describeLookup(lookup) },
          ],
          fix: {
            commands: lookup.found ? [shellLine(['chmod', '0755', lookup.found.path])] : ['apt-get install -y passt'],
          },
        }),
      ],
      'podman found no pasta',
    );
  },
} satisfies Check;
