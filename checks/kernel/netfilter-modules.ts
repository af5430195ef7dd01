import { dockerState } from '../../src/facts/docker.js';
import {
  featureStatus,
  featuresFor,
  iptablesFlavour,
  kernelModules,
  type FeatureStatus,
} from '../../src/facts/kernel.js';
import { podmanState } from '../../src/facts/podman.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'kernel.netfilter_modules_missing': {
    severity: 'error',
    title: 'Kernel features that container networks need are missing',
    explanation:
      'Container networks need the kernel\'s veth, bridge, br_netfilter, connection tracking, NAT and iptables or nftables features. Some of them are neither built into this kernel nor loaded, and no module for them is installed for the running kernel, so the engines cannot create the networks or their firewall rules: `podman run` and `docker run` fail with "can\'t initialize iptables table `nat\'", "Module ... not found", or networks come up without NAT.',
    cause:
      "A minimal or custom kernel built without them, or the running kernel's module tree was removed (a kernel upgrade whose old modules were cleaned up before the reboot), or the modules are blacklisted.",
    fix: "Reboot into the installed kernel (or reinstall the running kernel's modules package); on a custom kernel, enable the options and rebuild.",
    docs: 'https://github.com/moby/moby/blob/master/contrib/check-config.sh',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'kernel.netfilter-modules',
  title: 'Kernel features for container networks',
  findings: FINDINGS,
  docs: 'https://github.com/moby/moby/blob/master/contrib/check-config.sh',
  async run({ facts }) {
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    if ((docker.kind === 'absent' || docker.kind === 'client-only') && podman.kind === 'absent')
      return notApplicable('no container engine is installed');
    const [view, iptables] = await Promise.all([facts.get(kernelModules), facts.get(iptablesFlavour)]);
    if (!view.ok) return cannotDecide(view.reason);
    // Without a known flavour, either complete family will do: the one the engines' iptables uses is unknown.
    const families = featuresFor(iptables.flavour).map((features) =>
      features.map((feature) => featureStatus(view, feature)),
    );
    const missingPerFamily = families.map((family) => family.filter((status) => status.state === 'missing'));
    const best =
      missingPerFamily.reduce<FeatureStatus[] | undefined>(
        (fewest, missing) => (fewest === undefined || missing.length < fewest.length ? missing : fewest),
        undefined,
      ) ?? [];
    const source = `${view.config.source}; loaded modules: ${view.loadedSource}; installed modules: ${view.installedSource}`;
    if (best.length === 0) {
      const states = families.flat().map((status) => status.state);
      const count = (state: string) => states.filter((candidate) => candidate === state).length;
      return verdict(
        [],
        `kernel ${view.config.release}: every feature present (${count('built-in')} built in, ${count('loaded')} loaded, ${count('loadable')} installed as modules); ${iptables.excerpt}`,
      );
    }
    const modules = best.map((status) => status.feature.module);
    const treeMissing = best.some((status) => status.configured === 'm');
    return verdict(
      [
        finding('kernel.netfilter_modules_missing', {
          subject: {},
          title: `Kernel ${view.config.release} lacks ${modules.join(', ')}`,
          detail: `Missing: ${best.map((status) => `${status.feature.module} (${status.feature.purpose})`).join('; ')}. ${iptables.excerpt}.`,
          evidence: [
            {
              source: view.config.source.startsWith('/') ? 'file' : 'command',
              what: view.config.source,
              excerpt: best.map((status) => status.excerpt).join('\n'),
            },
            ...(treeMissing
              ? [
                  {
                    source: 'file' as const,
                    what: view.loadedPath,
                    excerpt: `not loaded: ${modules.join(', ')} (${view.loadedSource})`,
                  },
                  { source: 'file' as const, what: view.installedPath, excerpt: view.installedSource },
                ]
              : []),
          ],
          fix: {
            commands: treeMissing
              ? [
                  shellLine(['apt-get', 'install', '--reinstall', `linux-image-${view.config.release}`]),
                  shellLine(['modprobe', '-a', ...modules]),
                ]
              : [],
            summary: treeMissing
              ? "The running kernel's modules are not installed: reinstall its modules package (or reboot into the newest installed kernel), then load them."
              : 'This kernel was built without these features: boot a distribution kernel, or rebuild this one with the options enabled (=y or =m).',
          },
        }),
      ],
      source,
    );
  },
} satisfies Check;
