// A netdoctor plug-in check: load it with `netdoctor --checks-dir examples/checks`.
// docs/writing-checks.md walks through it line by line.

// The host ports this site publishes for its containers: edit the list for yours.
const SITE_PORTS = [8080, 8443, 50000];

const RANGE = '/proc/sys/net/ipv4/ip_local_port_range';
const RESERVED = '/proc/sys/net/ipv4/ip_local_reserved_ports';
const FINDING = 'site.published_port_in_ephemeral_range';
const DOCS = 'https://docs.kernel.org/networking/ip-sysctl.html';

/** "32768\t60999" as two numbers, or undefined. */
function parseRange(content) {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(content);
  return match ? { low: Number(match[1]), high: Number(match[2]) } : undefined;
}

/** "8080,8443-8444" (or an empty file) as a list of ranges, or undefined. */
function parseReserved(content) {
  const text = content.trim();
  if (text === '') return [];
  const ranges = [];
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) return undefined;
    ranges.push({ low: Number(match[1]), high: Number(match[2] ?? match[1]) });
  }
  return ranges;
}

// The wording of every finding the check can report: `netdoctor list` and `netdoctor explain` show it.
const FINDINGS = {
  [FINDING]: {
    severity: 'warning',
    title: "A port this site publishes lies in the kernel's ephemeral port range",
    explanation:
      'The kernel takes the source port of every outgoing connection from net.ipv4.ip_local_port_range. A host port that containers publish and that lies in that range can be taken by an outgoing connection at the moment the engine binds it (at boot, or when the container restarts): the container then fails to start with "address already in use", now and then, and netdoctor reports net.host_port_in_use. Reserved ports (net.ipv4.ip_local_reserved_ports) are never handed out that way.',
    cause:
      "The site's published ports were chosen inside 32768-60999 (the default range), or the range was widened over them.",
    fix: 'Reserve the ports (net.ipv4.ip_local_reserved_ports) now and persist it in /etc/sysctl.d, or publish ports outside the range.',
    docs: DOCS,
  },
};

export default {
  id: 'site.reserved-ports',
  title: "The site's published ports and the ephemeral port range",
  findings: FINDINGS,
  docs: DOCS,

  async run({ host }) {
    const [range, reserved] = await Promise.all([host.readFile(RANGE), host.readFile(RESERVED)]);
    for (const file of [range, reserved]) {
      if (!file.ok) return { skip: 'cannot_decide', reason: `cannot read ${file.path}: ${file.error.message}` };
    }
    const ephemeral = parseRange(range.content);
    const taken = parseReserved(reserved.content);
    if (ephemeral === undefined || taken === undefined) {
      return {
        skip: 'cannot_decide',
        reason: `unexpected contents: ${RANGE} holds "${range.content.trim()}", ${RESERVED} holds "${reserved.content.trim()}"`,
      };
    }

    const exposed = SITE_PORTS.filter(
      (port) =>
        port >= ephemeral.low && port <= ephemeral.high && !taken.some((item) => port >= item.low && port <= item.high),
    );
    const summary = `ephemeral ports ${ephemeral.low}-${ephemeral.high}; site ports ${SITE_PORTS.join(', ')}: ${exposed.length} in that range and not reserved`;
    if (exposed.length === 0) return { findings: [], summary };

    // Keep what is reserved already; add the site's ports.
    const reservedNow = reserved.content.trim();
    const wanted = [reservedNow, ...exposed.map(String)].filter((part) => part !== '').join(',');
    return {
      summary,
      findings: [
        {
          id: FINDING,
          severity: FINDINGS[FINDING].severity,
          title: `Published port${exposed.length > 1 ? 's' : ''} ${exposed.join(', ')} can be taken by outgoing connections (ephemeral range ${ephemeral.low}-${ephemeral.high})`,
          explanation: FINDINGS[FINDING].explanation,
          subject: {},
          evidence: [
            { source: 'file', what: RANGE, excerpt: `${ephemeral.low} ${ephemeral.high}` },
            { source: 'file', what: RESERVED, excerpt: reservedNow === '' ? '(empty)' : reservedNow },
          ],
          fix: {
            summary: FINDINGS[FINDING].fix,
            commands: [
              `sysctl -w net.ipv4.ip_local_reserved_ports=${wanted}`,
              `printf 'net.ipv4.ip_local_reserved_ports = ${wanted}\\n' > /etc/sysctl.d/99-site-reserved-ports.conf`,
            ],
          },
          docs: DOCS,
        },
      ],
    };
  },
};
