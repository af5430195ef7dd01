import { runningOn } from '../../src/facts/model.js';
import { aardvarkStateDir } from '../../src/facts/podman-dns.js';
import { pidFile, processById } from '../../src/facts/processes.js';
import { podmanContainers, podmanNetworks, podmanState } from '../../src/facts/podman.js';
import { fileEvidence, finding } from '../../src/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/outcome.js';
import type { Check, Evidence } from '../../src/types.js';

export default {
  id: 'podman.aardvark-running',
  title: 'aardvark-dns runs for DNS-enabled networks in use',
  findings: ['aardvark.not_running'],
  docs: 'https://github.com/containers/netavark/issues/911',
  async run({ host, facts }) {
    const podman = await facts.get(podmanState);
    if (podman.kind === 'absent') return notApplicable('podman is not installed');
    if (podman.kind === 'unusable') return cannotDecide(podman.reason);
    if (podman.info.networkBackend !== 'netavark') return notApplicable(`podman uses the ${podman.info.networkBackend} backend, which has no aardvark-dns`);
    const [networks, containers] = await Promise.all([facts.get(podmanNetworks), facts.get(podmanContainers)]);
    if (!networks.ok) return cannotDecide(networks.reason);
    const withDns = networks.items.filter((network) => network.dnsEnabled);
    if (withDns.length === 0) return notApplicable('no podman network has DNS enabled');
    if (!containers.ok) return cannotDecide(containers.reason);
    const users = runningOn(containers.items, withDns.map((network) => network.name));
    if (users.length === 0) return notApplicable(`no running container on a DNS-enabled network (${withDns.map((network) => network.name).join(', ')}): aardvark-dns runs only while one is`);
    const dir = aardvarkStateDir(host.context);
    const recorded = await facts.get(pidFile(`${dir}/aardvark.pid`));
    if (recorded.kind === 'unreadable') return cannotDecide(recorded.reason);
    const usedNetworks = withDns.filter((network) => users.some((container) => container.networks.some((attachment) => attachment.network === network.name)));
    const evidence: Evidence[] = [];
    let problem: string;
    if (recorded.kind === 'missing') {
      problem = recorded.reason;
      evidence.push({ source: 'file', what: recorded.path, excerpt: recorded.reason });
    } else {
      const lookup = await facts.get(processById(recorded.pid));
      if (lookup.kind === 'unreadable') return cannotDecide(lookup.reason);
      if (lookup.kind === 'running' && lookup.process.name === 'aardvark-dns') {
        return verdict([], `aardvark-dns runs (pid ${recorded.pid}) for ${usedNetworks.map((network) => network.name).join(', ')}`);
      }
      evidence.push(fileEvidence(recorded.path, String(recorded.pid)));
      if (lookup.kind === 'gone') {
        problem = `${recorded.path} names pid ${recorded.pid}, but ${lookup.reason}`;
        evidence.push({ source: 'file', what: `/proc/${recorded.pid}/status`, excerpt: lookup.reason });
      } else {
        problem = `${recorded.path} names pid ${recorded.pid}, which is ${lookup.process.name}, not aardvark-dns: the pid was reused`;
        evidence.push({ source: 'file', what: `/proc/${recorded.pid}/status`, excerpt: `Name: ${lookup.process.name}; State: ${lookup.process.state}` });
      }
    }
    const names = users.map((container) => container.name);
    evidence.push({
      source: 'command',
      what: containers.command,
      excerpt: users.map((container) => `${container.name}: ${container.networks.map((attachment) => attachment.network).join(', ')}`).join('; '),
    });
    return verdict(
      [
        finding('aardvark.not_running', {
          subject: { engine: 'podman', scope: podman.scope, network: usedNetworks.map((network) => network.name).join(', '), containers: names },
          title: `aardvark-dns is not running: names do not resolve on ${usedNetworks.map((network) => network.name).join(', ')}`,
          detail: `${problem}. Running containers on these networks: ${names.join(', ')}.`,
          evidence,
          fix: {
            commands: [...(recorded.kind === 'pid' ? [`rm -f ${recorded.path}`] : []), `podman restart ${names[0]}`],
            summary:
              "Restart one container on a DNS-enabled network: netavark starts a new aardvark-dns when aardvark.pid names no live process (removing a stale pid file keeps netavark from signalling whatever process has that pid now). If aardvark-dns survived in another network namespace (rootless), stop every container on the DNS-enabled networks, end that aardvark-dns by its pid, remove the aardvark-dns folder, and start them again.",
          },
        }),
      ],
      problem,
    );
  },
} satisfies Check;
