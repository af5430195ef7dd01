import { cniPodman } from '../../src/facts/cni.js';
import { containersConf } from '../../src/facts/containers-conf.js';
import { describeLookup, findExecutable } from '../../src/facts/files.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'cni.dnsname_absent': {
    severity: 'warning',
    title: 'CNI network without the dnsname plugin: no name resolution',
    explanation:
      'With the CNI backend, containers resolve each other by name only through the dnsname plugin. Podman adds it to a network only if the plugin was installed when the network was created, so containers on this network cannot reach each other by name.',
    cause:
      'The dnsname plugin was not installed when the network was created (installing it later does not change existing networks), or the network was created with --disable-dns or as internal.',
    fix: 'Install the dnsname plugin and recreate the network (or add a dnsname block to its conflist).',
    docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'cni.dnsname',
  title: 'dnsname plugin on CNI networks',
  findings: FINDINGS,
  docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  async run({ host, facts }) {
    const podman = await facts.get(cniPodman);
    if (!podman.ok) return skipFor(podman);
    const { cni } = podman;
    // The default network never has DNS: dns.default_network_no_dns speaks of it.
    const userNetworks = cni.conflists.filter((conflist) => conflist.name !== 'podman');
    if (userNetworks.length === 0) return notApplicable(`no user-defined CNI network in ${cni.dir}`);
    const conf = await facts.get(containersConf);
    const plugin = await findExecutable(host, 'dnsname', conf.cniPluginDirs);
    const findings = userNetworks
      .filter((conflist) => !conflist.pluginTypes.includes('dnsname'))
      .map((conflist) =>
        finding('cni.dnsname_absent', {
          subject: { engine: 'podman', scope: podman.scope, network: conflist.name },
          title: `CNI network ${conflist.name} has no dnsname plugin`,
          detail: plugin.found?.executable
            ? `The plugin is installed now (${plugin.found.path}), but the network was created without it.`
            : 'The dnsname plugin is not installed either.',
          evidence: [
            fileEvidence(conflist.path, `plugins: ${conflist.pluginTypes.join(', ')}`),
            { source: 'stat', what: plugin.searched.join(' '), excerpt: describeLookup(plugin) },
          ],
          fix: {
            commands: [
              ...(plugin.found?.executable
                ? []
                : ['apt-get install --reinstall -y golang-github-containernetworking-plugin-dnsname dnsmasq-base']),
              shellLine(['podman', 'network', 'rm', '-f', ...operands(conflist.name)]),
              shellLine(['podman', 'network', 'create', ...operands(conflist.name)]),
            ],
            summary:
              'Install the dnsname plugin, then recreate the network (removing it stops and disconnects its containers) and reattach the containers.',
          },
        }),
      );
    const names = userNetworks.map((conflist) => conflist.name).join(', ');
    return verdict(findings, `CNI networks checked: ${names}`, cni.invalid);
  },
} satisfies Check;
