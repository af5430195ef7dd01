import { dockerState } from '../../src/facts/docker.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { netavarkFirewallDriver } from '../../src/facts/netavark-firewall.js';
import { podmanState } from '../../src/facts/podman.js';
import { detailIfRecorded } from '../../src/core/facts.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'host.iptables_binary_missing': {
    severity: 'error',
    title: 'No usable iptables binary',
    explanation:
      'netavark 1.x, the CNI plugins and dockerd set up NAT and forwarding by running the `iptables` program. Without it, starting a container on a bridge network fails ("netavark: iptables: No such file or directory") or the network comes up without the rules that let its traffic out.',
    cause:
      'On Debian, podman only suggests iptables, so a minimal install lacks it; or the binary (or its alternatives link) was removed or lost its execute bit.',
    fix: 'Install the iptables package (or restore the binary and its mode).',
    docs: 'https://github.com/containers/podman/issues/24285',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'host.iptables-binary',
  title: 'iptables binary for engines that program it',
  findings: FINDINGS,
  docs: 'https://github.com/containers/podman/issues/24285',
  async run({ host, facts }) {
    const [docker, podman, dockerd] = await Promise.all([
      facts.get(dockerState),
      facts.get(podmanState),
      findExecutable(host, 'dockerd', systemSearchPath(host.context)),
    ]);
    const users: string[] = [];
    // Netavark whose firewall driver is not known: it needs iptables only with its iptables driver.
    let unknownDriver: string | undefined;
    let notIptables: string | undefined;
    if (podman.kind === 'ok') {
      const engine = `podman ${podman.info.version} (${podman.info.networkBackend} backend, ${podman.scope})`;
      // Podman 4 hands netavark no firewall driver, and netavark had no nftables driver before 1.10; podman 5
      // passes containers.conf's firewall_driver, or netavark uses the driver it was built with.
      const chooses = podman.info.networkBackend === 'netavark' && Number.parseInt(podman.info.version, 10) >= 5;
      const firewall = chooses ? await detailIfRecorded(facts, netavarkFirewallDriver) : undefined;
      const driver = firewall?.ok ? firewall.driver : undefined;
      if (!chooses || driver === 'iptables') users.push(engine);
      else if (firewall?.ok && driver !== undefined)
        notIptables = `netavark uses its ${driver} firewall driver (${firewall.from})`;
      else
        unknownDriver = `${engine}: netavark's firewall driver is not known (${firewall?.ok ? firewall.from : 'its settings were not recorded'})`;
    } else if (podman.kind === 'unusable')
      users.push('podman (its backend could not be read; netavark and CNI both need iptables)');
    if (dockerd.found?.executable) users.push(`dockerd (${dockerd.found.path})`);
    else if (docker.kind === 'ok' && !docker.info.rootless) users.push(`dockerd ${docker.info.serverVersion}`);
    if (users.length === 0 && unknownDriver === undefined)
      return notApplicable(
        notIptables === undefined
          ? 'no engine that runs iptables (podman, dockerd) is installed'
          : `no engine here runs iptables: ${notIptables}, and no dockerd is installed`,
      );

    const dirs = systemSearchPath(host.context);
    const [iptables, ip6tables] = await Promise.all([
      findExecutable(host, 'iptables', dirs),
      findExecutable(host, 'ip6tables', dirs),
    ]);
    const findings = [];
    for (const lookup of [iptables, ip6tables]) {
      if (lookup.found?.executable) continue;
      if (lookup.unreadable.length > 0 && !lookup.found)
        return cannotDecide(`could not examine ${lookup.unreadable.join(', ')}`);
      if (users.length === 0)
        return cannotDecide(`${describeLookup(lookup)}; only netavark could need it: ${unknownDriver ?? ''}`);
      findings.push(
        finding('host.iptables_binary_missing', {
          subject: { path: lookup.found?.path ?? lookup.name },
          title: lookup.found ? `${lookup.found.path} is not executable` : `${lookup.name} is not installed`,
          detail: `Engines here that need it: ${users.join(', ')}.`,
          evidence: [{ source: 'stat', what: lookup.searched.join(' '), excerpt: describeLookup(lookup) }],
          fix: {
            commands: lookup.found
              ? [shellLine(['chmod', '0755', lookup.found.path])]
              : ['apt-get install --reinstall -y iptables', 'update-alternatives --display iptables'],
          },
        }),
      );
    }
    const neededBy = [
      ...(users.length > 0 ? [`needed by ${users.join(', ')}`] : []),
      ...(unknownDriver === undefined ? [] : [`perhaps needed by ${unknownDriver}`]),
    ];
    return verdict(findings, [describeLookup(iptables), describeLookup(ip6tables), ...neededBy].join('; '));
  },
} satisfies Check;
