import wrapAnsi from 'wrap-ansi';
import type { CheckStatus, Finding } from '../core/types.js';
import type { Report } from '../core/report.js';
import { SEVERITY_STYLE, painter, type Paint, type Style } from './paint.js';
import { terminalSafe } from './safe.js';
import {
  countsLine,
  describeSubject,
  engineLine,
  explanationsOncePerId,
  outcomeOf,
  platformLine,
  plural,
  sortedFindings,
  undecidedGroups,
  verdictLine,
  type Outcome,
} from './summary.js';

export interface HumanOptions {
  color: boolean;
  /** Columns to wrap the text to (the terminal's width). */
  width: number;
  /** List every check, passing and not applicable ones too. */
  verbose: boolean;
}

const OUTCOME_STYLE: Record<Outcome, Style> = {
  broken: 'red',
  warning: 'yellow',
  incomplete: 'yellow',
  healthy: 'green',
};

const STATUS_LABEL: Record<CheckStatus, [string, Style]> = {
  pass: ['ok', 'green'],
  fail: ['FAIL', 'red'],
  warn: ['warn', 'yellow'],
  skip: ['skip', 'dim'],
  error: ['ERROR', 'red'],
};

/**
 * Wraps text to the width with `prefix` before its first line and continuation lines indented as deep as the
 * prefix (wrap-ansi measures wide characters and leaves colour codes whole). A word longer than the line stays
 * whole: URLs and paths must remain copyable.
 */
function wrapped(prefix: string, text: string, width: number, indent = prefix.length): string {
  const room = Math.max(width - indent, 20);
  const firstRoom = Math.max(width - prefix.length, 20);
  const lines = wrapAnsi(text, firstRoom, { hard: false, trim: true }).split('\n');
  const [first = '', ...rest] = lines;
  const continued = rest.length === 0 ? [] : wrapAnsi(rest.join(' '), room, { hard: false, trim: true }).split('\n');
  return [prefix + first, ...continued.map((line) => ' '.repeat(indent) + line)].join('\n');
}

/** An excerpt of command output or a file, line by line, each wrapped under its marker. */
function excerptLines(excerpt: string, width: number): string[] {
  return excerpt
    .split('\n')
    .map((line) => wrapped('       ', line, width))
    .filter((line) => line.trim() !== '');
}

function renderFinding(item: Finding, index: number, explanation: string, width: number, paint: Paint): string {
  const severity = paint(SEVERITY_STYLE[item.severity], item.severity.toUpperCase());
  const lines = [
    wrapped(`${index + 1}. `, `${severity} ${paint('bold', item.title)}  ${paint('dim', `[${item.id}]`)}`, width),
    wrapped('   on: ', describeSubject(item.subject), width),
    wrapped('   why: ', explanation, width),
  ];
  if (item.evidence.length > 0) {
    lines.push('   evidence:');
    for (const evidence of item.evidence) {
      const [first = '', ...rest] = evidence.excerpt.split('\n');
      lines.push(wrapped('     - ', `${evidence.what}: ${first}`, width, 7));
      if (rest.length > 0) lines.push(...excerptLines(rest.join('\n'), width));
    }
  }
  lines.push(wrapped('   fix: ', item.fix.summary, width));
  // Commands are never wrapped: they are meant to be copied whole.
  lines.push(...item.fix.commands.map((command) => `     $ ${paint('cyan', command)}`));
  lines.push(`   docs: ${item.docs}`);
  return lines.join('\n');
}

function checkRow(status: CheckStatus, ids: string, text: string, width: number, paint: Paint): string {
  const [label, style] = STATUS_LABEL[status];
  return wrapped(`${paint(style, label.padEnd(5))} `, `${ids}: ${text}`, width, 6);
}

/** The checks in a few lines: problems by name, passing ones collapsed into a count unless --verbose. */
function renderChecks(report: Report, findings: readonly Finding[], options: HumanOptions, paint: Paint): string {
  // A check's findings are copies of those in the report's list: the same text is the same finding.
  const number = new Map(findings.map((item, index) => [JSON.stringify(item), index + 1]));
  const lines: string[] = [];
  for (const check of report.checks.filter((candidate) => candidate.status === 'fail' || candidate.status === 'warn')) {
    const numbers = check.findings.map((item) => number.get(JSON.stringify(item)) ?? '?');
    lines.push(
      checkRow(check.status, check.id, `${check.title}: see ${numbers.join(', ')} above`, options.width, paint),
    );
  }
  for (const group of undecidedGroups(report))
    lines.push(checkRow(group.status, group.ids.join(', '), group.text, options.width, paint));
  const passed = report.checks.filter((check) => check.status === 'pass');
  const notApplicable = report.checks.filter((check) => check.status === 'skip' && check.skip === 'not_applicable');
  if (options.verbose) {
    for (const check of passed) lines.push(checkRow(check.status, check.id, check.title, options.width, paint));
    for (const check of notApplicable)
      lines.push(checkRow(check.status, check.id, `does not apply: ${check.reason ?? ''}`, options.width, paint));
  } else {
    const collapsed = [
      passed.length > 0 ? `${plural(passed.length, 'check')} passed` : undefined,
      notApplicable.length > 0 ? `${notApplicable.length} did not apply to this host` : undefined,
    ].filter((part) => part !== undefined);
    if (collapsed.length > 0)
      lines.push(paint('dim', wrapped('', `${collapsed.join(', ')} (--verbose lists them)`, options.width, 2)));
  }
  return lines.join('\n');
}

function renderContext(report: Report, width: number, paint: Paint): string {
  const { host } = report;
  const lines = [
    wrapped(
      '',
      `netdoctor ${report.tool.version} on ${host.hostname} (${host.os}, kernel ${host.kernel}) as ${host.user}${report.replayedFrom ? `, replayed from ${report.replayedFrom}` : ''}`,
      width,
      2,
    ),
    wrapped('engines: ', engineLine(report), width, 2),
  ];
  const platform = platformLine(host.platform);
  if (platform !== undefined) lines.push(wrapped('host: ', platform, width, 2));
  lines.push(wrapped('', countsLine(report), width, 2));
  return paint('dim', lines.join('\n'));
}

/**
 * The report for a person at a terminal, cause first: the verdict in one line, the findings most severe first
 * (each explanation once per id), the checks that need attention (passing ones collapsed), then the context.
 */
export function renderHuman(unsafe: Report, options: HumanOptions): string {
  const report = terminalSafe(unsafe);
  const paint = painter(options.color);
  const findings = sortedFindings(report);
  const explanations = explanationsOncePerId(findings);
  const sections = [
    paint(OUTCOME_STYLE[outcomeOf(report)], paint('bold', wrapped('', verdictLine(report), options.width, 2))),
  ];
  if (findings.length > 0)
    sections.push(
      findings
        .map((item, index) => renderFinding(item, index, explanations[index]!, options.width, paint))
        .join('\n\n'),
    );
  const checks = renderChecks(report, findings, options, paint);
  if (checks !== '') sections.push(checks);
  sections.push(renderContext(report, options.width, paint));
  return `${sections.join('\n\n')}\n`;
}
