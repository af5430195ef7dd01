import Table from 'cli-table3';
import type { CheckResult, CheckStatus, Finding, Subject } from '../core/types.js';
import type { Report } from '../core/report.js';
import { SEVERITY_ORDER, SEVERITY_STYLE, painter, type Paint, type Style } from './paint.js';

export interface HumanOptions {
  color: boolean;
  /** Terminal width; the table wraps to it. */
  width: number;
  verbose: boolean;
}

const STATUS_LABEL: Record<CheckStatus, [string, Style]> = {
  pass: ['ok', 'green'],
  fail: ['FAIL', 'red'],
  warn: ['warn', 'yellow'],
  skip: ['skip', 'dim'],
  error: ['ERROR', 'red'],
};

export function describeSubject(subject: Subject): string {
  const parts: string[] = [];
  if (subject.engine)
    parts.push(
      subject.scope
        ? `${subject.engine} (${subject.scope}${subject.user ? `, user ${subject.user}` : ''})`
        : subject.engine,
    );
  if (subject.network) parts.push(`network ${subject.network}`);
  if (subject.interface) parts.push(`interface ${subject.interface}`);
  if (subject.containers && subject.containers.length > 0) parts.push(`containers ${subject.containers.join(', ')}`);
  if (subject.namespaces && subject.namespaces.length > 0) parts.push(`namespaces ${subject.namespaces.join(', ')}`);
  if (subject.path) parts.push(subject.path);
  return parts.join(', ') || 'host';
}

function checkResultText(check: CheckResult): string {
  if (check.status === 'skip' || check.status === 'error') return check.reason ?? '';
  const findings = check.findings.map((item) => item.title).join('; ');
  const base = findings || check.summary || '';
  return check.reason ? `${base} (${check.reason})` : base;
}

function renderTable(report: Report, options: HumanOptions, paint: Paint): string {
  const statusWidth = 7;
  const idWidth = Math.max(...report.checks.map((check) => check.id.length), 5) + 2;
  const resultWidth = Math.max(options.width - statusWidth - idWidth - 4, 30);
  const table = new Table({
    head: ['', 'check', 'result'],
    colWidths: [statusWidth, idWidth, resultWidth],
    wordWrap: true,
    style: { head: [], border: [], compact: true },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: ' ',
    },
  });
  const visible = options.verbose
    ? report.checks
    : report.checks.filter((check) => !(check.status === 'skip' && check.skip === 'not_applicable'));
  for (const check of visible) {
    const [label, style] = STATUS_LABEL[check.status];
    table.push([paint(style, label), check.id, checkResultText(check)]);
  }
  const hidden = report.checks.length - visible.length;
  const note =
    hidden > 0 ? `\n${paint('dim', `${hidden} check(s) not applicable to this host (--verbose lists them)`)}` : '';
  const rows = table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd());
  return rows.join('\n') + note;
}

function renderFinding(item: Finding, index: number, paint: Paint): string {
  const lines = [
    `${index + 1}. ${paint(SEVERITY_STYLE[item.severity], item.severity.toUpperCase())} ${paint('bold', item.title)}  ${paint('dim', `[${item.id}]`)}`,
    `   on: ${describeSubject(item.subject)}`,
    `   why: ${item.explanation}`,
    '   evidence:',
    ...item.evidence.map((evidence) => `     - ${evidence.what}: ${evidence.excerpt.replace(/\n/g, '\n       ')}`),
    `   fix: ${item.fix.summary}`,
    ...item.fix.commands.map((command) => `     $ ${paint('cyan', command)}`),
    `   docs: ${item.docs}`,
  ];
  return lines.join('\n');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function renderHuman(report: Report, options: HumanOptions): string {
  const paint = painter(options.color);
  const engines = report.engines
    .map((engine) =>
      `${engine.engine} ${engine.version ?? ''} ${engine.scope}${engine.networkBackend ? ` ${engine.networkBackend}` : ''}${engine.reachable ? '' : ' (unreachable)'}`.replace(
        /\s+/g,
        ' ',
      ),
    )
    .join(', ');
  const header = [
    `${paint('bold', 'netdoctor')} ${report.tool.version} on ${report.host.hostname} (${report.host.os}, kernel ${report.host.kernel}) as ${report.host.user}`,
    `engines: ${engines || 'none found'}${report.replayedFrom ? `   replayed from ${report.replayedFrom}` : ''}`,
  ].join('\n');
  const findings = [...report.findings].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
  );
  const { findings: bySeverity, checks } = report.summary;
  const summary = [
    `${plural(bySeverity.error, 'error')}, ${plural(bySeverity.warning, 'warning')}, ${bySeverity.info} info`,
    `checks: ${checks.pass} ok, ${checks.fail} failed, ${checks.warn} warned, ${checks.skip} skipped, ${checks.error} errored`,
    `${report.durationMs} ms`,
  ].join(' · ');
  const sections = [header, renderTable(report, options, paint)];
  if (findings.length > 0) sections.push(findings.map((item, index) => renderFinding(item, index, paint)).join('\n\n'));
  sections.push(paint(bySeverity.error > 0 ? 'red' : bySeverity.warning > 0 ? 'yellow' : 'green', summary));
  return `${sections.join('\n\n')}\n`;
}
