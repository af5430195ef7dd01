import type { Finding } from '../core/types.js';
import type { Report } from '../core/report.js';
import { SEVERITY_ORDER, SEVERITY_STYLE, painter, type Paint, type Style } from './paint.js';
import { terminalSafe } from './safe.js';
import type { LinkStatus, PairEndpoint, PairOutcome, PairSection, PathLink } from '../core/pair.js';

export interface WhyRenderOptions {
  color: boolean;
  /** Also show the excerpt of every piece of evidence, not only its command or file. */
  verbose: boolean;
}

const OUTCOME_STYLE: Record<PairOutcome, Style> = { reachable: 'green', unreachable: 'red', undecided: 'yellow' };
const LINK_LABEL: Record<LinkStatus, [string, Style]> = {
  ok: ['ok', 'green'],
  broken: ['FAIL', 'red'],
  warning: ['warn', 'yellow'],
  unknown: ['?', 'yellow'],
  not_applicable: ['-', 'dim'],
};

function describeEndpoint(role: 'A' | 'B', endpoint: PairEndpoint): string[] {
  const name = endpoint.name ?? endpoint.reference;
  if (!endpoint.found) return [`  ${role}  ${name}: ${endpoint.note ?? 'not found'}`];
  if (endpoint.kind === 'namespace') {
    const addresses = endpoint.networks.map((network) => `${network.name} ${network.address ?? ''}`.trim());
    return [`  ${role}  ${name}: a named network namespace; ${addresses.join(', ') || 'no IPv4 address'}`];
  }
  if (endpoint.kind === 'host') {
    const port = endpoint.port === undefined ? '' : `, port ${endpoint.port}`;
    return [`  ${role}  ${name}: this host${endpoint.address ? ` at ${endpoint.address}` : ''}${port}`];
  }
  if (endpoint.kind === 'address')
    return [`  ${role}  ${name}: an address${endpoint.port === undefined ? '' : `, port ${endpoint.port}`}`];
  const owner = `${endpoint.engine} ${endpoint.scope} (user ${endpoint.user})`;
  const state = endpoint.running ? `running, pid ${endpoint.pid ?? '?'}` : endpoint.state;
  const networks = endpoint.networks.map(
    (network) =>
      `${network.name}${network.address ? ` ${network.address}` : ''}${network.dns === undefined ? '' : network.dns ? ' (DNS)' : ' (no DNS)'}`,
  );
  const where = [
    `network mode ${endpoint.networkMode || 'default'}`,
    networks.length > 0 ? `networks ${networks.join(', ')}` : 'no network',
    endpoint.pod ? `pod ${endpoint.pod.slice(0, 12)}` : undefined,
  ];
  return [
    `  ${role}  ${name}: ${owner}, ${state}, id ${endpoint.id?.slice(0, 12)}`,
    `      ${where.filter((part) => part !== undefined).join('; ')}`,
  ];
}

function renderLink(link: PathLink, paint: Paint, verbose: boolean): string[] {
  const [label, style] = LINK_LABEL[link.status];
  const lines = [`  ${paint(style, label.padEnd(4))}  ${paint('bold', link.title)}: ${link.detail}`];
  for (const evidence of link.evidence) {
    const excerpt = verbose ? `: ${evidence.excerpt.replace(/\n/g, '\n          ')}` : '';
    lines.push(paint('dim', `          ${evidence.what}${excerpt}`));
  }
  return lines;
}

function renderFinding(item: Finding, index: number, paint: Paint): string[] {
  return [
    `  ${index + 1}. ${paint(SEVERITY_STYLE[item.severity], item.severity.toUpperCase())} ${item.title}  ${paint('dim', `[${item.id}]`)}`,
    `     why: ${item.explanation}`,
    `     fix: ${item.fix.summary}`,
  ];
}

function pathLine(pair: PairSection): string {
  const { path } = pair;
  const target = path.target === undefined ? '' : `; probed at ${path.target}`;
  const ports =
    path.ports.length === 0
      ? ''
      : ` on ${path.ports.length === 1 ? 'port' : 'ports'} ${path.ports.join(', ')} (${path.portsFrom === 'option' ? 'from --port' : 'where B listens'})`;
  return `path: ${path.description}${target}${ports}`;
}

/** The verdict in one sentence first, then where A and B live, the evidence chain, the findings and the fix. */
export function renderPair(unsafe: Report, options: WhyRenderOptions): string {
  const report = terminalSafe(unsafe);
  const pair = report.pair;
  if (pair === undefined) throw new Error('renderWhy needs a report with a pair section');
  const paint = painter(options.color);
  const sections: string[] = [
    paint(OUTCOME_STYLE[pair.verdict.outcome], paint('bold', pair.verdict.sentence)),
    [...describeEndpoint('A', pair.a), ...describeEndpoint('B', pair.b)].join('\n'),
  ];
  if (pair.path.kind !== 'none' || pair.path.target !== undefined) sections.push(pathLine(pair));
  if (pair.links.length > 0)
    sections.push(
      ['evidence, link by link:', ...pair.links.flatMap((link) => renderLink(link, paint, options.verbose))].join('\n'),
    );
  const findings = [...report.findings].sort(
    (left, right) => SEVERITY_ORDER.indexOf(left.severity) - SEVERITY_ORDER.indexOf(right.severity),
  );
  if (findings.length > 0)
    sections.push(['findings:', ...findings.flatMap((item, index) => renderFinding(item, index, paint))].join('\n'));
  if (pair.fix.length > 0)
    sections.push(['fix:', ...pair.fix.map((command) => `  $ ${paint('cyan', command)}`)].join('\n'));
  const firewall = pair.firewall.evaluated ? '' : ' · firewall not evaluated';
  sections.push(
    paint(
      'dim',
      `netdoctor ${report.tool.version} as ${report.host.user} · ${report.durationMs} ms${firewall}${report.replayedFrom ? ` · replayed from ${report.replayedFrom}` : ''}`,
    ),
  );
  return `${sections.join('\n\n')}\n`;
}
