import { dnsnamePodman } from '../../src/facts/cni.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, skipFor, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'cni.dnsmasq_missing': {
    severity: 'error',
    title: 'dnsname needs dnsmasq, which is missing',
    explanation:
      'The dnsname plugin serves container names by starting a dnsmasq per network. Without an executable dnsmasq, starting a container on this network fails ("unable to locate dnsmasq in path"), and failed starts leave stale firewall rules and address leases behind.',
    cause: 'dnsmasq-base is not installed, or the dnsmasq binary was removed or lost its execute bit.',
    fix: 'Install dnsmasq-base. As a workaround, create the network with --disable-dns.',
    docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'cni.dnsmasq',
  title: 'dnsmasq for dnsname networks',
  findings: FINDINGS,
  docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  async run({ host, facts }) {
    const podman = await facts.get(dnsnamePodman);
    if (!podman.ok) return skipFor(podman);
    const { networks: withDnsname } = podman;
    const lookup = await findExecutable(host, 'dnsmasq', systemSearchPath(host.context));
    const names = withDnsname.map((conflist) => conflist.name).join(', ');
    if (lookup.found?.executable) return verdict([], `${describeLookup(lookup)}; dnsname networks: ${names}`);
    if (lookup.unreadable.length > 0 && !lookup.found)
      return cannotDecide(`could not examine ${lookup.unreadable.join(', ')}`);
    return verdict(
      [
        finding('cni.dnsmasq_missing', {
          subject: { engine: 'podman', scope: podman.scope, network: names },
          title: lookup.found ? `dnsmasq is not executable (${lookup.found.path})` : 'dnsmasq is not installed',
          detail: `Networks that use dnsname: ${names}.`,
          evidence: [
            ...withDnsname.map((conflist) =>
              fileEvidence(conflist.path, `plugins: ${conflist.pluginTypes.join(', ')}`),
            ),
            { source: 'stat', what: lookup.searched.join(' '), excerpt: describeLookup(lookup) },
          ],
          fix: {
            commands: lookup.found
              ? [shellLine(['chmod', '0755', lookup.found.path])]
              : ['apt-get install --reinstall -y dnsmasq-base'],
            summary: `Make dnsmasq available (or, as a workaround, recreate the networks with --disable-dns). A failed start may have left firewall rules and address leases behind: remove and recreate the affected containers.`,
          },
        }),
      ],
      `dnsmasq missing; dnsname networks: ${names}`,
    );
  },
} satisfies Check;
