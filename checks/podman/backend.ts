import { containersConf } from '../../src/facts/containers-conf.js';
import { netavarkFirewallDriver } from '../../src/facts/netavark-firewall.js';
import { podmanState } from '../../src/facts/podman.js';
import { detailIfRecorded } from '../../src/core/facts.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const FINDINGS = {
  'podman.backend_is_cni': {
    severity: 'info',
    title: 'Podman uses the CNI network backend',
    explanation:
      'This podman uses the deprecated CNI backend instead of netavark. Name resolution then needs the separate dnsname plugin and dnsmasq, and several netavark features (aardvark-dns, network update, DNS on internal networks) are missing. This is context, not a fault.',
    cause:
      'network_backend = "cni" in containers.conf, or podman chose CNI when it was upgraded from 3.x or installed without netavark, and pinned the choice in its storage.',
    fix: 'Keep CNI and make sure dnsname and dnsmasq are installed, or migrate to netavark (podman system reset destroys containers, images and networks).',
    docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'podman.backend',
  title: 'Podman network backend',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/blob/main/docs/tutorials/basic_networking.md',
  async run({ host, facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    const backend = podman.info.networkBackend;
    if (backend !== 'cni') {
      const uses = `podman ${podman.info.version} (${podman.scope}) uses ${podman.info.networkBackendVersion ?? backend}`;
      // Podman 4 hands netavark no firewall driver (netavark had only iptables before 1.10). Snapshots recorded
      // before netdoctor read the driver lack its files: the backend alone is still known.
      const firewall =
        Number.parseInt(podman.info.version, 10) >= 5
          ? await detailIfRecorded(facts, netavarkFirewallDriver)
          : undefined;
      if (!firewall?.ok) return verdict([], uses);
      return verdict(
        [],
        firewall.driver === undefined
          ? `${uses}; its firewall driver is not known (${firewall.from})`
          : `${uses} with the ${firewall.driver} firewall driver (${firewall.from})`,
      );
    }
    const conf = await facts.get(containersConf);
    const evidence = [...podman.evidence];
    const origin = conf.origin.network_backend;
    if (origin !== undefined) {
      evidence.push(fileEvidence(origin, `network_backend = "${conf.networkBackend}"`));
    } else if (podman.info.graphRoot !== '') {
      const sentinel = await host.readFile(`${podman.info.graphRoot}/defaultNetworkBackend`);
      if (sentinel.ok) evidence.push(fileEvidence(sentinel.path, sentinel.content.trim()));
    }
    return verdict(
      [
        finding('podman.backend_is_cni', {
          subject: { engine: 'podman', scope: podman.scope },
          detail:
            origin !== undefined
              ? `It is set in ${origin}.`
              : 'No containers.conf sets it: podman chose it and pinned the choice in its storage.',
          evidence,
          fix: {
            summary:
              'Keep CNI with working DNS (dnsname and dnsmasq installed), or migrate to netavark: set network_backend = "netavark" in containers.conf and run `podman system reset --force`, which destroys containers, images and networks.',
            commands: ['apt-get install -y golang-github-containernetworking-plugin-dnsname dnsmasq-base'],
          },
        }),
      ],
      `podman ${podman.info.version} (${podman.scope}) uses cni`,
    );
  },
} satisfies Check;
