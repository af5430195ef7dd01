import { dockerState } from '../../src/facts/docker.js';
import { sysctl } from '../../src/facts/files.js';
import { podmanState } from '../../src/facts/podman.js';
import { conntrackStatistics } from '../../src/facts/conntrack.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { shellLine, writeFileLine } from '../../src/core/shell.js';
import type { Evidence } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.kernel.org/networking/nf_conntrack-sysctl.html';
const PERSIST_FILE = '/etc/sysctl.d/99-conntrack-max.conf';

const FINDINGS = {
  'net.conntrack_table_full': {
    severity: 'error',
    title: 'The connection-tracking table is full',
    explanation:
      'Every connection to, from or between containers on a NAT or bridge network needs an entry in the kernel\'s connection-tracking table: masquerading, published ports and the engines\' firewall rules all depend on it. When the table holds net.netfilter.nf_conntrack_max entries, the kernel drops the first packet of every new connection it cannot make room for ("nf_conntrack: table full, dropping packet" in the kernel log): containers fail to connect or resolve names now and then, while established connections keep working. Above 90 % it is a warning: a burst of new connections fills the rest.',
    cause:
      "Many short-lived connections (a load test, a crawler, a DNS-heavy service, a scan), long timeouts keeping finished connections in the table, or a table size left at a small default for the host's memory.",
    fix: 'Raise net.netfilter.nf_conntrack_max now and persist it in /etc/sysctl.d; then find what opens so many connections (`conntrack -L`, from the conntrack package, lists them) if the count keeps climbing.',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

function parseCount(raw: string): number | undefined {
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

export default {
  id: 'net.conntrack',
  title: 'Room in the connection-tracking table',
  findings: FINDINGS,
  docs: DOCS,
  async run({ facts }) {
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    if (docker.kind === 'absent' && podman.kind === 'absent') return notApplicable('no container engine is installed');
    const [count, max] = await Promise.all([
      facts.get(sysctl('net.netfilter.nf_conntrack_count')),
      facts.get(sysctl('net.netfilter.nf_conntrack_max')),
    ]);
    if (!count.ok) {
      if (count.code === 'ENOENT')
        return notApplicable(
          `${count.reason}: connection tracking is not in use on this host (no NAT, no stateful rule has loaded it)`,
        );
      return cannotDecide(count.reason);
    }
    if (!max.ok) return cannotDecide(max.reason);
    const used = parseCount(count.value.raw);
    const limit = parseCount(max.value.raw);
    if (used === undefined || limit === undefined)
      return cannotDecide(
        `${count.value.path} holds "${count.value.raw}" and ${max.value.path} holds "${max.value.raw}": not counts`,
      );
    if (limit === 0) return verdict([], `${used} tracked connections; nf_conntrack_max is 0 (no limit)`);
    const percent = Math.floor((used * 100) / limit);
    const statistics = await facts.get(conntrackStatistics);
    const drops = statistics.ok ? statistics.value : undefined;
    const dropNote =
      drops === undefined
        ? ''
        : `; since boot ${drops.drop} new connection(s) dropped and ${drops.earlyDrop} entries evicted for lack of room`;
    const summary = `${used} of ${limit} tracked connections (${percent} %)${dropNote}`;
    const full = used >= limit;
    // Integer arithmetic: used / limit >= 0.9 without rounding surprises.
    if (!full && used * 10 < limit * 9) return verdict([], summary, statistics.ok ? [] : [statistics.reason]);
    const evidence: Evidence[] = [
      fileEvidence(count.value.path, count.value.raw),
      fileEvidence(max.value.path, max.value.raw),
    ];
    if (drops !== undefined && (drops.drop > 0 || drops.earlyDrop > 0))
      evidence.push(
        fileEvidence(drops.path, `drop ${drops.drop}, early_drop ${drops.earlyDrop} (summed over ${drops.cpus} CPUs)`),
      );
    const raised = Math.max(limit * 2, 65536);
    return verdict(
      [
        finding('net.conntrack_table_full', {
          subject: {},
          severity: full ? 'error' : 'warning',
          title: full
            ? `The connection-tracking table is full (${used} of ${limit} entries): new connections are dropped`
            : `The connection-tracking table is ${percent} % full (${used} of ${limit} entries)`,
          ...(drops !== undefined && drops.drop > 0
            ? { detail: `The kernel has already dropped ${drops.drop} new connection(s) for lack of room since boot.` }
            : {}),
          evidence,
          fix: {
            commands: [
              shellLine(['sysctl', '-w', `net.netfilter.nf_conntrack_max=${raised}`]),
              writeFileLine(PERSIST_FILE, [`net.netfilter.nf_conntrack_max = ${raised}`]),
            ],
          },
        }),
      ],
      summary,
      statistics.ok ? [] : [statistics.reason],
    );
  },
} satisfies Check;
