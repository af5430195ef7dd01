import { cniPodman } from '../../src/facts/cni.js';
import { containersConf } from '../../src/facts/containers-conf.js';
import { describeLookup, findExecutable } from '../../src/facts/files.js';
import { fileEvidence, finding } from '../../src/finding.js';
import { notApplicable, verdict } from '../../src/outcome.js';
import type { Check } from '../../src/types.js';

export default {
  id: 'cni.dnsname',
  title: 'dnsname plugin on CNI networks',
  findings: ['cni.dnsname_absent'],
  docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  async run({ host, facts }) {
    const podman = await facts.get(cniPodman);
    if (!podman.ok) return podman.outcome;
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
              ...(plugin.found?.executable ? [] : ['apt-get install --reinstall -y golang-github-containernetworking-plugin-dnsname dnsmasq-base']),
              `podman network rm -f ${conflist.name}`,
              `podman network create ${conflist.name}`,
            ],
            summary: 'Install the dnsname plugin, then recreate the network (removing it stops and disconnects its containers) and reattach the containers.',
          },
        }),
      );
    const names = userNetworks.map((conflist) => conflist.name).join(', ');
    return verdict(findings, `CNI networks checked: ${names}`, cni.invalid);
  },
} satisfies Check;
