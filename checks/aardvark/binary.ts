import { containersConf } from '../../src/facts/containers-conf.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'aardvark.missing': {
    severity: 'error',
    title: 'aardvark-dns is missing: container names will not resolve',
    explanation:
      'With netavark, container name resolution on a DNS-enabled network is served by aardvark-dns on the network gateway. When podman cannot find an executable aardvark-dns it only prints a warning and still points containers at the gateway, where nothing answers: every lookup, of container names and outside names alike, times out.',
    cause:
      'The aardvark-dns package is not installed (netavark only recommends it), or its binary was removed or is not executable.',
    fix: 'Install aardvark-dns, then recreate the containers on the network.',
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'aardvark.binary',
  title: 'aardvark-dns for DNS-enabled netavark networks',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  async run({ host, facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    if (podman.info.networkBackend !== 'netavark')
      return notApplicable(`podman uses the ${podman.info.networkBackend} backend, which has no aardvark-dns`);
    const networks = await facts.get(podmanNetworks);
    if (!networks.ok) return cannotDecide(networks.reason);
    const withDns = networks.items.filter((network) => network.dnsEnabled);
    if (withDns.length === 0) return notApplicable('no podman network has DNS enabled');
    const conf = await facts.get(containersConf);
    // Podman looks in helper_binaries_dir first, then in PATH.
    const lookup = await findExecutable(host, 'aardvark-dns', [
      ...conf.helperBinariesDirs,
      ...systemSearchPath(host.context),
    ]);
    const names = withDns.map((network) => network.name).join(', ');
    if (lookup.found?.executable) return verdict([], `${describeLookup(lookup)}; DNS-enabled networks: ${names}`);
    if (lookup.unreadable.length > 0 && !lookup.found)
      return cannotDecide(`could not examine ${lookup.unreadable.join(', ')}`);
    return verdict(
      [
        finding('aardvark.missing', {
          subject: { engine: 'podman', scope: podman.scope, network: names },
          title: lookup.found
            ? `aardvark-dns is not executable (${lookup.found.path})`
            : 'aardvark-dns is not installed',
          detail: `DNS-enabled networks that depend on it: ${names}.`,
          evidence: [
            ...podman.evidence,
            {
              source: 'command',
              what: 'podman network ls --format json',
              excerpt: withDns.map((network) => `${network.name}: dns_enabled true`).join('; '),
            },
            { source: 'stat', what: lookup.searched.join(' '), excerpt: describeLookup(lookup) },
          ],
          fix: {
            commands: lookup.found
              ? [shellLine(['chmod', '0755', lookup.found.path])]
              : ['apt-get install --reinstall -y aardvark-dns'],
            summary:
              'Make aardvark-dns available, then recreate the containers on these networks (podman rm -f, podman run) so that their DNS server starts.',
          },
        }),
      ],
      `aardvark-dns missing; DNS-enabled networks: ${names}`,
    );
  },
} satisfies Check;
