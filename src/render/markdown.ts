import type { Report } from '../core/report.js';
import type { CheckStatus, Finding } from '../core/types.js';
import { terminalSafe } from './safe.js';
import {
  countsLine,
  describeSubject,
  engineLine,
  explanationsOncePerId,
  platformLine,
  plural,
  sortedFindings,
  undecidedGroups,
  verdictLine,
} from './summary.js';

/** Inline text that markdown shows as written: no emphasis, link, HTML tag or table cell border from host names. */
export function markdownText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/[\\`*_[\]<>|~#]/g, (character) => `\\${character}`);
}

/** Text inside an HTML element (the <summary> of a <details>). */
function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function longestRun(text: string, character: string): number {
  let longest = 0;
  let run = 0;
  for (const each of text) {
    run = each === character ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** A code span that holds any text, backticks included. */
export function codeSpan(text: string): string {
  const ticks = '`'.repeat(longestRun(text, '`') + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A fenced block that no line of the text can close early. */
export function fenced(text: string, info = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

function renderFinding(item: Finding, index: number, explanation: string): string {
  const parts = [
    `### ${index + 1}. ${item.severity.toUpperCase()}: ${markdownText(item.title)}`,
    `${codeSpan(item.id)} on ${markdownText(describeSubject(item.subject))}${item.fingerprint ? ` · fingerprint ${codeSpan(item.fingerprint)}` : ''}`,
    markdownText(explanation),
    `**Fix:** ${markdownText(item.fix.summary)}`,
  ];
  if (item.fix.commands.length > 0) parts.push(fenced(item.fix.commands.join('\n'), 'sh'));
  if (item.evidence.length > 0) {
    const evidence = item.evidence.flatMap((each) => [codeSpan(each.what), fenced(each.excerpt, 'text')]);
    parts.push(
      [
        `<details>\n<summary>Evidence (${plural(item.evidence.length, 'source')})</summary>`,
        ...evidence,
        '</details>',
      ].join('\n\n'),
    );
  }
  parts.push(`Docs: ${/^https?:\/\/[^\s<>]+$/.test(item.docs) ? `<${item.docs}>` : markdownText(item.docs)}`);
  return parts.join('\n\n');
}

function cell(text: string): string {
  return markdownText(text);
}

function checkRow(status: CheckStatus, ids: readonly string[], result: string): string {
  const label = { pass: 'ok', fail: 'FAIL', warn: 'warn', skip: 'skipped', error: 'ERROR' }[status];
  return `| ${label} | ${ids.map((id) => codeSpan(id)).join(', ')} | ${cell(result)} |`;
}

function renderChecks(report: Report, findings: readonly Finding[]): string {
  const number = new Map(findings.map((item, index) => [JSON.stringify(item), index + 1]));
  const rows: string[] = [];
  for (const check of report.checks.filter((candidate) => candidate.status === 'fail' || candidate.status === 'warn'))
    rows.push(
      checkRow(
        check.status,
        [check.id],
        `see ${check.findings.map((item) => number.get(JSON.stringify(item)) ?? '?').join(', ')}`,
      ),
    );
  for (const group of undecidedGroups(report)) rows.push(checkRow(group.status, group.ids, group.text));
  const parts = ['### Checks'];
  if (rows.length > 0) parts.push(['| status | check | result |', '|---|---|---|', ...rows].join('\n'));
  const passed = report.checks.filter((check) => check.status === 'pass');
  const notApplicable = report.checks.filter((check) => check.status === 'skip' && check.skip === 'not_applicable');
  if (passed.length + notApplicable.length > 0) {
    const items = [
      ...passed.map((check) => `- ${codeSpan(check.id)} passed: ${markdownText(check.title)}`),
      ...notApplicable.map((check) => `- ${codeSpan(check.id)} does not apply: ${markdownText(check.reason ?? '')}`),
    ];
    const summary = [
      passed.length > 0 ? `${plural(passed.length, 'check')} passed` : undefined,
      notApplicable.length > 0 ? `${notApplicable.length} did not apply` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    parts.push(`<details>\n<summary>${htmlText(summary)}</summary>\n\n${items.join('\n')}\n\n</details>`);
  }
  return parts.join('\n\n');
}

function renderContext(report: Report): string {
  const { host } = report;
  const rows: [string, string][] = [
    ['netdoctor', report.tool.version],
    ['host', `${host.hostname}, as ${host.user} (uid ${host.uid})`],
    ['OS', `${host.os}, kernel ${host.kernel}`],
  ];
  const platform = platformLine(host.platform);
  if (platform !== undefined) rows.push(['platform', platform]);
  rows.push(['engines', engineLine(report)], ['run', `${report.startedAt}, ${report.durationMs} ms`]);
  if (report.replayedFrom !== undefined) rows.push(['replayed from', report.replayedFrom]);
  return [
    '### Host and engines',
    ['| | |', '|---|---|', ...rows.map(([name, value]) => `| ${name} | ${cell(value)} |`)].join('\n'),
  ].join('\n\n');
}

/**
 * A report to paste into a ticket or an issue: the verdict first, each finding with its fix commands in fenced
 * blocks and its evidence folded in <details>, the checks, then the host and engines. Every host string is
 * escaped, so a name cannot open a tag, a link or a code block.
 */
export function renderMarkdown(unsafe: Report): string {
  const report = terminalSafe(unsafe);
  const findings = sortedFindings(report);
  const explanations = explanationsOncePerId(findings);
  const sections = [`## netdoctor: ${markdownText(verdictLine(report))}`, markdownText(countsLine(report))];
  sections.push(...findings.map((item, index) => renderFinding(item, index, explanations[index]!)));
  sections.push(renderChecks(report, findings), renderContext(report));
  return `${sections.join('\n\n')}\n`;
}
