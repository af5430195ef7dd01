import { dockerState } from '../../src/facts/docker.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { podmanState } from '../../src/facts/podman.js';
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
    if (podman.kind === 'ok')
      users.push(`podman ${podman.info.version} (${podman.info.networkBackend} backend, ${podman.scope})`);
    else if (podman.kind === 'unusable')
      users.push('podman (its backend could not be read; netavark and CNI both need iptables)');
    if (dockerd.found?.executable) users.push(`dockerd (${dockerd.found.path})`);
    else if (docker.kind === 'ok' && !docker.info.rootless) users.push(`dockerd ${docker.info.serverVersion}`);
    if (users.length === 0) return notApplicable('no engine that runs iptables (podman, dockerd) is installed');

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
    return verdict(
      findings,
      `${describeLookup(iptables)}; ${describeLookup(ip6tables)}; needed by ${users.join(', ')}`,
    );
  },
} satisfies Check;
