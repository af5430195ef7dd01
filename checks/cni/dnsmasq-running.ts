import { dnsnamePodman } from '../../src/facts/cni.js';
import { runningOn } from '../../src/facts/model.js';
import { pidFile, processById } from '../../src/facts/processes.js';
import { podmanContainers } from '../../src/facts/podman.js';
import { fileEvidence, finding } from '../../src/finding.js';
import type { HostContext } from '../../src/host/host.js';
import { cannotDecide, notApplicable, verdict } from '../../src/outcome.js';
import type { Check, Evidence, Finding } from '../../src/types.js';

/** Where dnsname keeps each network's dnsmasq.conf and pidfile. */
function dnsnameDir(context: HostContext, network: string): string {
  const base = context.uid === 0 ? '/run/containers/cni/dnsname' : `${context.env.XDG_RUNTIME_DIR || `/run/user/${context.uid}`}/containers/cni/dnsname`;
  return `${base}/${network}`;
}

export default {
  id: 'cni.dnsmasq-running',
  title: "dnsname's dnsmasq runs for networks in use",
  findings: ['cni.dnsmasq_not_running'],
  docs: 'https://github.com/containers/dnsname/blob/main/README_PODMAN.md',
  async run({ host, facts }) {
    const podman = await facts.get(dnsnamePodman);
    if (!podman.ok) return podman.outcome;
    const { networks: withDnsname } = podman;
    const containers = await facts.get(podmanContainers);
    if (!containers.ok) return cannotDecide(containers.reason);
    const inUse = withDnsname.flatMap((conflist) => {
      const users = runningOn(containers.items, [conflist.name]);
      return users.length > 0 ? [{ conflist, users }] : [];
    });
    if (inUse.length === 0) return notApplicable(`no running container on a dnsname network (${withDnsname.map((conflist) => conflist.name).join(', ')})`);
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
        if (lookup.kind === 'running' && lookup.process.name === 'dnsmasq' && lookup.process.argv.some((arg) => arg.includes(confPath))) {
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
          evidence.push({ source: 'file', what: `/proc/${recorded.pid}/cmdline`, excerpt: lookup.process.argv.join(' ') });
        }
      }
      const names = users.map((container) => container.name);
      const [first = ''] = names;
      evidence.push({ source: 'command', what: containers.command, excerpt: `running on ${conflist.name}: ${names.join(', ')}` });
      findings.push(
        finding('cni.dnsmasq_not_running', {
          subject: { engine: 'podman', scope: podman.scope, network: conflist.name, containers: names },
          title: `dnsmasq for CNI network "${conflist.name}" is not running: names do not resolve there`,
          detail: `${problem}. Running containers on it: ${names.join(', ')}.`,
          evidence,
          fix: {
            commands: [...(stalePidFile ? [`rm -f ${recorded.path}`] : []), `podman restart ${first}`],
            summary: `Restart one container of "${conflist.name}": dnsname starts a new dnsmasq when a container joins the network. If containers were started from a login session, start them from a service (or enable lingering) so that dnsmasq does not die with the session.`,
          },
        }),
      );
    }
    return verdict(findings, checked.length > 0 ? `running: ${checked.join('; ')}` : `dnsmasq missing for ${findings.length} network(s)`);
  },
} satisfies Check;
