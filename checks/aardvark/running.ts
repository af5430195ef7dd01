import { runningOn } from '../../src/facts/model.js';
import { aardvarkStateDir } from '../../src/facts/podman-dns.js';
import { pidFile, processById } from '../../src/facts/processes.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Evidence } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'aardvark.not_running': {
    severity: 'error',
    title: 'aardvark-dns is not running for DNS-enabled networks with running containers',
    explanation:
      "With netavark, containers on a DNS-enabled network resolve names through aardvark-dns on the network's gateway. aardvark-dns is not running (no pid file, or its pid is dead or another program) although containers on such a network are. Their lookups time out, and netavark does not notice: it only signals the pid in aardvark.pid when a container starts or stops, and starts a new aardvark-dns only when that pid does not exist at all.",
    cause:
      'aardvark-dns was killed (out of memory, by hand, or with the scope or user session it was started in), or it died and its pid was reused by another process.',
    fix: 'Stop the containers on the DNS-enabled networks, remove the stale aardvark-dns state (kill any stray aardvark-dns, remove its folder), then start the containers again: netavark starts a fresh aardvark-dns.',
    docs: 'https://github.com/containers/netavark/issues/911',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'aardvark.running',
  title: 'aardvark-dns runs for DNS-enabled networks in use',
  findings: FINDINGS,
  docs: 'https://github.com/containers/netavark/issues/911',
  async run({ host, facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    if (podman.info.networkBackend !== 'netavark')
      return notApplicable(`podman uses the ${podman.info.networkBackend} backend, which has no aardvark-dns`);
    const [networks, containers] = await Promise.all([facts.get(podmanNetworks), facts.get(podmanContainers)]);
    if (!networks.ok) return cannotDecide(networks.reason);
    const withDns = networks.items.filter((network) => network.dnsEnabled);
    if (withDns.length === 0) return notApplicable('no podman network has DNS enabled');
    if (!containers.ok) return cannotDecide(containers.reason);
    const users = runningOn(
      containers.items,
      withDns.map((network) => network.name),
    );
    if (users.length === 0)
      return notApplicable(
        `no running container on a DNS-enabled network (${withDns.map((network) => network.name).join(', ')}): aardvark-dns runs only while one is`,
      );
    const dir = aardvarkStateDir(host.context);
    const recorded = await facts.get(pidFile(`${dir}/aardvark.pid`));
    if (recorded.kind === 'unreadable') return cannotDecide(recorded.reason);
    const usedNetworks = withDns.filter((network) =>
      users.some((container) => container.networks.some((attachment) => attachment.network === network.name)),
    );
    const evidence: Evidence[] = [];
    let problem: string;
    if (recorded.kind === 'missing') {
      problem = recorded.reason;
      evidence.push({ source: 'file', what: recorded.path, excerpt: recorded.reason });
    } else {
      const lookup = await facts.get(processById(recorded.pid));
      if (lookup.kind === 'unreadable') return cannotDecide(lookup.reason);
      if (lookup.kind === 'running' && lookup.process.name === 'aardvark-dns') {
        return verdict(
          [],
          `aardvark-dns runs (pid ${recorded.pid}) for ${usedNetworks.map((network) => network.name).join(', ')}`,
        );
      }
      evidence.push(fileEvidence(recorded.path, String(recorded.pid)));
      if (lookup.kind === 'gone') {
        problem = `${recorded.path} names pid ${recorded.pid}, but ${lookup.reason}`;
        evidence.push({ source: 'file', what: `/proc/${recorded.pid}/status`, excerpt: lookup.reason });
      } else {
        problem = `${recorded.path} names pid ${recorded.pid}, which is ${lookup.process.name}, not aardvark-dns: the pid was reused`;
        evidence.push({
          source: 'file',
          what: `/proc/${recorded.pid}/status`,
          excerpt: `Name: ${lookup.process.name}; State: ${lookup.process.state}`,
        });
      }
    }
    const names = users.map((container) => container.name);
    evidence.push({
      source: 'command',
      what: containers.command,
      excerpt: users
        .map(
          (container) => `${container.name}: ${container.networks.map((attachment) => attachment.network).join(', ')}`,
        )
        .join('; '),
    });
    return verdict(
      [
        finding('aardvark.not_running', {
          subject: {
            engine: 'podman',
            scope: podman.scope,
            network: usedNetworks.map((network) => network.name).join(', '),
            containers: names,
          },
          title: `aardvark-dns is not running: names do not resolve on ${usedNetworks.map((network) => network.name).join(', ')}`,
          detail: `${problem}. Running containers on these networks: ${names.join(', ')}.`,
          evidence,
          fix: {
            commands: [
              ...(recorded.kind === 'pid' ? [shellLine(['rm', '-f', recorded.path])] : []),
              shellLine(['podman', 'restart', ...operands(names[0]!)]),
            ],
            summary:
              'Restart one container on a DNS-enabled network: netavark starts a new aardvark-dns when aardvark.pid names no live process (removing a stale pid file keeps netavark from signalling whatever process has that pid now). If aardvark-dns survived in another network namespace (rootless), stop every container on the DNS-enabled networks, end that aardvark-dns by its pid, remove the aardvark-dns folder, and start them again.',
          },
        }),
      ],
      problem,
    );
  },
} satisfies Check;
