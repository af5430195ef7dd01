import type { Report } from '../core/report.js';
import type { CheckResult, Finding, Severity } from '../core/types.js';
import type { FailOn } from '../pipeline/exit.js';
import { terminalSafe } from './safe.js';
import { describeSubject, verdictLine } from './summary.js';

export interface JunitOptions {
  /** Findings at or above this severity are test failures; the others are notes in the test's output. */
  failOn: FailOn;
}

const FAILING: Record<FailOn, readonly Severity[]> = {
  error: ['error'],
  warning: ['error', 'warning'],
  never: [],
};

/** Text in an XML attribute or element: the five markup characters as entities, newlines kept in attributes. */
function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;');
}

function body(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function seconds(milliseconds: number): string {
  return (milliseconds / 1000).toFixed(3);
}

function findingText(item: Finding): string {
  const lines = [
    `${item.severity.toUpperCase()} ${item.title} [${item.id}]`,
    `on: ${describeSubject(item.subject)}`,
    `why: ${item.explanation}`,
    ...item.evidence.map((evidence) => `evidence: ${evidence.what}: ${evidence.excerpt}`),
    `fix: ${item.fix.summary}`,
    ...item.fix.commands.map((command) => `  $ ${command}`),
    `docs: ${item.docs}`,
  ];
  if (item.fingerprint) lines.push(`fingerprint: ${item.fingerprint}`);
  return lines.join('\n');
}

function testcase(check: CheckResult, failing: readonly Severity[]): string {
  const open = `    <testcase classname="netdoctor.${xml(check.id.split('.')[0] ?? check.id)}" name="${xml(check.id)}" time="${seconds(check.durationMs)}"`;
  const children: string[] = [];
  if (check.status === 'skip') {
    const kind = check.skip === 'cannot_decide' ? 'could not decide' : 'does not apply';
    children.push(`      <skipped message="${xml(`${kind}: ${check.reason ?? ''}`)}"/>`);
  } else if (check.status === 'error') {
    children.push(`      <error message="${xml(check.reason ?? 'the check errored')}" type="error"/>`);
  }
  const failures = check.findings.filter((item) => failing.includes(item.severity));
  for (const item of failures)
    children.push(
      `      <failure message="${xml(item.title)}" type="${xml(item.id)}">${body(findingText(item))}</failure>`,
    );
  const notes = check.findings.filter((item) => !failing.includes(item.severity));
  const output = [
    check.summary,
    check.reason && check.status !== 'skip' ? `limits: ${check.reason}` : undefined,
    ...notes.map(findingText),
  ]
    .filter((text): text is string => text !== undefined && text !== '')
    .join('\n\n');
  if (output !== '' && check.status !== 'skip') children.push(`      <system-out>${body(output)}</system-out>`);
  return children.length === 0 ? `${open}/>` : `${open}>\n${children.join('\n')}\n    </testcase>`;
}

/**
 * JUnit XML for CI test reporters (GitLab, Jenkins, GitHub actions): one test case per check, a failure per finding
 * at or above --fail-on, skipped for checks that do not apply or could not decide (with the reason), error for
 * checks that crashed or timed out. Findings below --fail-on are kept in the test case's output.
 */
export function renderJunit(unsafe: Report, options: JunitOptions): string {
  const report = terminalSafe(unsafe);
  const failing = FAILING[options.failOn];
  const failed = report.checks.filter((check) => check.findings.some((item) => failing.includes(item.severity)));
  const counts = {
    tests: report.checks.length,
    failures: failed.length,
    errors: report.checks.filter((check) => check.status === 'error').length,
    skipped: report.checks.filter((check) => check.status === 'skip').length,
  };
  const attributes = `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(report.durationMs)}"`;
  const properties = [
    ['netdoctor.version', report.tool.version],
    ['netdoctor.verdict', verdictLine(report)],
    ['host.os', report.host.os],
    ['host.kernel', report.host.kernel],
    ['host.user', report.host.user],
    ...report.engines.map((engine) => [`engine.${engine.engine}.${engine.scope}`, engine.version ?? 'unknown']),
    ...(report.replayedFrom === undefined ? [] : [['replayed-from', report.replayedFrom]]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netdoctor" ${attributes}>`,
    `  <testsuite name="netdoctor" ${attributes} timestamp="${xml(report.startedAt.replace(/(\.\d+)?Z$/, ''))}" hostname="${xml(report.host.hostname)}">`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${xml(name!)}" value="${xml(value!)}"/>`),
    '    </properties>',
    ...report.checks.map((check) => testcase(check, failing)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
