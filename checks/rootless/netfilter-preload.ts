import { LOADED_BY_USERSPACE_LEGACY, featureStatus, iptablesFlavour, kernelModules } from '../../src/facts/kernel.js';
import { podmanNetworks } from '../../src/facts/podman.js';
import { rootlessPodman } from '../../src/facts/rootless.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine, writeFileLine } from '../../src/core/shell.js';

const MODULES_LOAD_FILE = '/etc/modules-load.d/podman-rootless.conf';

const FINDINGS = {
  'rootless.netfilter_modules_not_preloaded': {
    severity: 'error',
    title: 'Rootless bridge networks need netfilter modules that are not loaded',
    explanation:
      "A rootless user network is a bridge in the user's own network namespace, and netavark (or CNI) programs iptables there. With iptables-legacy, iptables itself runs modprobe when the ip_tables module is not loaded, and an unprivileged user's modprobe is refused, so root must have loaded ip_tables (and ip6_tables) before. It has not: starting a rootless container on such a network fails with \"modprobe: ERROR: could not insert 'ip_tables': Operation not permitted\" and \"can't initialize iptables table `nat'\". The kernel loads the rest (the nat table, the matches) on request, and iptables-nft needs no preloading at all. The default slirp4netns network is not affected.",
    cause:
      'The iptables alternative is iptables-legacy, nothing rootful has used it since boot (rootful engines load ip_tables on first use), and no modules-load.d file loads it at boot.',
    fix: 'As root, load the modules now and list them in /etc/modules-load.d so that every boot loads them (or switch the iptables alternative to iptables-nft).',
    docs: 'https://github.com/containers/podman/issues/12661',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'rootless.netfilter-preload',
  title: 'Netfilter modules loaded for rootless bridge networks',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/issues/12661',
  async run({ host, facts }) {
    const rootless = await facts.get(rootlessPodman);
    if (!rootless.ok) return skipFor(rootless);
    const networks = await facts.get(podmanNetworks);
    if (!networks.ok) return cannotDecide(networks.reason);
    // Containers reach the default network only with --network podman; the user's own networks are what fail.
    const bridges = networks.items.filter((network) => network.driver === 'bridge' && !network.isDefault);
    if (bridges.length === 0)
      return notApplicable(
        `${host.context.user} has no bridge network of their own: the default slirp4netns networking needs no netfilter modules`,
      );
    const [view, iptables] = await Promise.all([facts.get(kernelModules), facts.get(iptablesFlavour)]);
    if (!view.ok) return cannotDecide(view.reason);
    const names = bridges.map((network) => network.name).join(', ');
    if (iptables.flavour === 'unknown')
      return cannotDecide(`which iptables rootless netavark runs could not be told (${iptables.excerpt})`);
    if (iptables.flavour === 'nft')
      return verdict(
        [],
        `${iptables.excerpt}: iptables-nft asks the kernel through nfnetlink, which loads what ${names} need also for a rootless namespace`,
      );
    // Missing features are kernel.netfilter_modules_missing's to report; this check is about loadable ones nobody
    // loaded.
    const notLoaded = LOADED_BY_USERSPACE_LEGACY.map((feature) => featureStatus(view, feature)).filter(
      (status) => status.state === 'loadable',
    );
    if (notLoaded.length === 0)
      return verdict(
        [],
        `${LOADED_BY_USERSPACE_LEGACY.map((feature) => feature.module).join(' and ')} need no loading by root (${view.loadedSource}); features missing altogether are kernel.netfilter_modules_missing's`,
      );
    const modules = notLoaded.map((status) => status.feature.module);
    return verdict(
      [
        finding('rootless.netfilter_modules_not_preloaded', {
          subject: { engine: 'podman', scope: 'rootless', user: host.context.user, network: names },
          title: `${modules.join(', ')} ${modules.length > 1 ? 'are' : 'is'} not loaded, and ${host.context.user} cannot load ${modules.length > 1 ? 'them' : 'it'}: rootless networks ${names} fail`,
          detail: `${iptables.excerpt}.`,
          evidence: [
            {
              source: view.config.source.startsWith('/') ? 'file' : 'command',
              what: view.config.source,
              excerpt: notLoaded.map((status) => status.excerpt).join('\n'),
            },
            {
              source: 'file',
              what: view.loadedPath,
              excerpt: `none of ${modules.join(', ')} is loaded (${view.loadedSource})`,
            },
            { source: 'file', what: view.installedPath, excerpt: `installed: ${modules.join(', ')}` },
          ],
          fix: {
            commands: [shellLine(['modprobe', '-a', ...modules]), writeFileLine(MODULES_LOAD_FILE, modules)],
            summary:
              'As root, load the modules now and list them in /etc/modules-load.d so that every boot loads them.',
          },
        }),
      ],
      `not loaded: ${modules.join(', ')}`,
    );
  },
} satisfies Check;
