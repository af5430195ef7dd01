import { dnsnameDir, dnsnamePodman } from '../../src/facts/cni.js';
import { runningOn } from '../../src/facts/model.js';
import { pidFile, processById } from '../../src/facts/processes.js';
import { podmanContainers } from '../../src/facts/podman.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, skipFor, verdict } from '../../src/core/outcome.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const FINDINGS = {
  'cni.dnsmasq_not_running': {
    severity: 'error',
    title: "dnsname's dnsmasq is not running for a network with running containers",
    explanation:
      "With the CNI backend, the dnsname plugin answers container names through one dnsmasq per network, listening on the network's gateway. That dnsmasq is not running although containers on the network are: their lookups, of container names and outside names alike, go to the gateway and time out. dnsname starts dnsmasq again only when a container joins or leaves the network.",
    cause:
      'dnsname starts dnsmasq in the cgroup of whoever ran the first container, so the dnsmasq dies with that login session or systemd unit; it was killed; or an AppArmor profile in enforce mode keeps it from reading its configuration.',
    fix: 'Start dnsmasq again by adding a container to the network (or restarting one of its containers); for containers started from a login session, enable lingering or start them from a service; or move to the netavark backend, whose aardvark-dns runs in its own scope.',
    docs: 'https://github.com/containers/podman/issues/9931',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'cni.dnsmasq-running',
  title: "dnsname's dnsmasq runs for networks in use",
  findings: FINDINGS,
  docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  async run({ host, facts }) {
    const podman = await facts.get(dnsnamePodman);
    if (!podman.ok) return skipFor(podman);
    const { networks: withDnsname } = podman;
    const containers = await facts.get(podmanContainers);
    if (!containers.ok) return cannotDecide(containers.reason);
    const inUse = withDnsname.flatMap((conflist) => {
      const users = runningOn(containers.items, [conflist.name]);
      return users.length > 0 ? [{ conflist, users }] : [];
    });
    if (inUse.length === 0)
      return notApplicable(
        `no running container on a dnsname network (${withDnsname.map((conflist) => conflist.name).join(', ')})`,
      );
    const findings: Finding[] = [];
    const checked: string[] = [];
    for (const { conflist, users } of inUse) {
      const dir = dnsnameDir(host.context, conflist.name);
      const recorded = await facts.get(pidFile(`${dir}/pidfile`));
      if (recorded.kind === 'unreadable') return cannotDecide(recorded.reason);
      const evidence: Evidence[] = [];
      let problem: string;
      let stalePidFile = false;
      if (recorded.kind === 'missing') {
        problem = recorded.reason;
        evidence.push({ source: 'file', what: recorded.path, excerpt: recorded.reason });
      } else {
        const lookup = await facts.get(processById(recorded.pid));
        if (lookup.kind === 'unreadable') return cannotDecide(lookup.reason);
        const confPath = `${dir}/dnsmasq.conf`;
        if (
          lookup.kind === 'running' &&
          lookup.process.name === 'dnsmasq' &&
          lookup.process.argv.some((arg) => arg.includes(confPath))
        ) {
          checked.push(`${conflist.name}: dnsmasq pid ${recorded.pid}`);
          continue;
        }
        evidence.push(fileEvidence(recorded.path, String(recorded.pid)));
        if (lookup.kind === 'gone') {
          problem = `${recorded.path} names pid ${recorded.pid}, but ${lookup.reason}`;
          evidence.push({ source: 'file', what: `/proc/${recorded.pid}/status`, excerpt: lookup.reason });
        } else {
          // dnsname would signal this other process and believe its dnsmasq alive: the pid file must go.
          stalePidFile = true;
          problem = `${recorded.path} names pid ${recorded.pid}, which is ${lookup.process.name} (${lookup.process.argv.join(' ')}), not this network's dnsmasq`;
          evidence.push({
            source: 'file',
            what: `/proc/${recorded.pid}/cmdline`,
            excerpt: lookup.process.argv.join(' '),
          });
        }
      }
      const names = users.map((container) => container.name);
      const [first = ''] = names;
      evidence.push({
        source: 'command',
        what: containers.command,
        excerpt: `running on ${conflist.name}: ${names.join(', ')}`,
      });
      findings.push(
        finding('cni.dnsmasq_not_running', {
          subject: { engine: 'podman', scope: podman.scope, network: conflist.name, containers: names },
          title: `dnsmasq for CNI network "${conflist.name}" is not running: names do not resolve there`,
          detail: `${problem}. Running containers on it: ${names.join(', ')}.`,
          evidence,
          fix: {
            commands: [
              ...(stalePidFile ? [shellLine(['rm', '-f', recorded.path])] : []),
              shellLine(['podman', 'restart', ...operands(first)]),
            ],
            summary: `Restart one container of "${conflist.name}": dnsname starts a new dnsmasq when a container joins the network. If containers were started from a login session, start them from a service (or enable lingering) so that dnsmasq does not die with the session.`,
          },
        }),
      );
    }
    return verdict(
      findings,
      checked.length > 0 ? `running: ${checked.join('; ')}` : `dnsmasq missing for ${findings.length} network(s)`,
    );
  },
} satisfies Check;
