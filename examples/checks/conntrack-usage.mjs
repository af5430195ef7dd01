// A netdoctor plug-in check: load it with `netdoctor --checks-dir examples/checks`.
// docs/writing-checks.md walks through it line by line.

const COUNT = '/proc/sys/net/netfilter/nf_conntrack_count';
const MAX = '/proc/sys/net/netfilter/nf_conntrack_max';
const FINDING = 'host.conntrack_table_nearly_full';
const DOCS = 'https://docs.kernel.org/networking/nf_conntrack-sysctl.html';

/** A whole non-negative number from a /proc/sys file, or undefined. */
function parseCount(content) {
  const text = content.trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

// The wording of every finding the check can report: `netdoctor list` and `netdoctor explain` show it.
const FINDINGS = {
  [FINDING]: {
    severity: 'warning',
    title: 'The connection tracking table is nearly full',
    explanation:
      'Every connection to, from or between containers on a NAT or bridge network is tracked by netfilter. When the table is full, the kernel drops the first packet of every new connection ("nf_conntrack: table full, dropping packet" in the kernel log): containers fail to connect now and then, while established connections keep working.',
    cause:
      'Many short-lived connections (a load test, a crawler, a DNS flood) or a table size left at a small default.',
    fix: 'Raise the table size now and persist it, or find what opens so many connections (`conntrack -L`, from the conntrack package, lists them).',
    docs: DOCS,
  },
};

export default {
  id: 'host.conntrack-usage',
  title: 'Room in the connection tracking table',
  findings: FINDINGS,
  docs: DOCS,

  async run({ host }) {
    const [count, max] = await Promise.all([host.readFile(COUNT), host.readFile(MAX)]);
    for (const file of [count, max]) {
      if (!file.ok) return { skip: 'cannot_decide', reason: `cannot read ${file.path}: ${file.error.message}` };
    }
    const used = parseCount(count.content);
    const limit = parseCount(max.content);
    if (used === undefined || limit === undefined || limit === 0) {
      return {
        skip: 'cannot_decide',
        reason: `unexpected contents: ${COUNT} holds "${count.content.trim()}", ${MAX} holds "${max.content.trim()}"`,
      };
    }

    const percent = Math.floor((used * 100) / limit);
    const summary = `${used} of ${limit} tracked connections (${percent} %)`;
    // Integer arithmetic: used / limit >= 0.9 without rounding surprises.
    if (used * 10 < limit * 9) return { findings: [], summary };

    return {
      summary,
      findings: [
        {
          id: FINDING,
          severity: FINDINGS[FINDING].severity,
          title: `The connection tracking table is ${percent} % full (${used} of ${limit})`,
          explanation: FINDINGS[FINDING].explanation,
          subject: {},
          evidence: [
            { source: 'file', what: COUNT, excerpt: String(used) },
            { source: 'file', what: MAX, excerpt: String(limit) },
          ],
          fix: {
            summary: FINDINGS[FINDING].fix,
            commands: [
              `sysctl -w net.netfilter.nf_conntrack_max=${limit * 2}`,
              `printf 'net.netfilter.nf_conntrack_max = ${limit * 2}\\n' > /etc/sysctl.d/99-conntrack.conf`,
            ],
          },
          docs: DOCS,
        },
      ],
    };
  },
};
