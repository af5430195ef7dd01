import type { Report } from '../core/report.js';
import type { Severity } from '../core/types.js';
import { terminalSafe } from './safe.js';
import { countsLine, describeSubject, sortedFindings, undecidedChecks, verdictLine } from './summary.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
};

/** The message of a workflow command: %, CR and LF escaped as the runner reads them back (as @actions/core does). */
function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property of a workflow command: also `:` and `,`, which would end it. */
function commandProperty(text: string): string {
  return commandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function workflowCommand(command: string, title: string, message: string): string {
  return `::${command} title=${commandProperty(title)}::${commandData(message)}`;
}

/**
 * GitHub Actions workflow commands: an annotation per finding (::error, ::warning, ::notice for info), a warning
 * per check that errored and a notice per check that could not decide, then the verdict as a plain line. The
 * markdown summary for $GITHUB_STEP_SUMMARY is renderMarkdown's; the CLI appends it to that file.
 */
export function renderGithub(unsafe: Report): string {
  const report = terminalSafe(unsafe);
  const lines = sortedFindings(report).map((item) =>
    workflowCommand(
      COMMAND[item.severity],
      `${item.id}: ${item.title}`,
      [
        `${item.title} (on ${describeSubject(item.subject)})`,
        item.explanation,
        `Fix: ${item.fix.summary}`,
        ...item.fix.commands.map((command) => `  $ ${command}`),
        `Docs: ${item.docs}`,
      ].join('\n'),
    ),
  );
  for (const check of undecidedChecks(report))
    lines.push(
      workflowCommand(
        check.status === 'error' ? 'warning' : 'notice',
        `netdoctor check ${check.id} ${check.status === 'error' ? 'errored' : 'could not decide'}`,
        check.reason ?? '',
      ),
    );
  lines.push(`netdoctor: ${verdictLine(report)} (${countsLine(report)})`);
  return `${lines.join('\n')}\n`;
}
