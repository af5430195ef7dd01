import { appendFile, writeFile } from 'node:fs/promises';
import type { Report } from '../core/report.js';
import { UsageError } from '../core/errors.js';
import type { FailOn } from '../pipeline/exit.js';
import { renderGithub } from '../render/github.js';
import { renderHuman } from '../render/human.js';
import { renderJson } from '../render/json.js';
import { renderJunit } from '../render/junit.js';
import { renderMarkdown } from '../render/markdown.js';
import type { Format } from './formats.js';
import { reportWidth, useColor, type Io } from './io.js';

export interface OutputOptions {
  format: Format;
  /** Write the report in `format` to this file; the terminal then gets the human view. */
  output?: string;
  color: 'auto' | 'always' | 'never';
  verbose: boolean;
  failOn: FailOn;
}

function render(report: Report, format: Format, options: OutputOptions, io: Io, toTerminal: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report, { failOn: options.failOn });
    case 'github':
      return renderGithub(report);
    case 'human':
      return renderHuman(report, {
        color: toTerminal && useColor(options.color, io),
        width: toTerminal ? reportWidth(io) : 100,
        verbose: options.verbose,
      });
  }
}

/**
 * Puts the report where it was asked for: stdout in the chosen format, or with --output that format to the file
 * and the human view to stdout. The github format also appends the markdown report to $GITHUB_STEP_SUMMARY when
 * the runner sets it.
 */
export async function deliverReport(report: Report, options: OutputOptions, io: Io): Promise<void> {
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, render(report, options.format, options, io, false));
    } catch (error) {
      throw new UsageError(`cannot write the report to ${options.output}: ${(error as Error).message}`);
    }
  }
  io.stdout.write(render(report, options.output === undefined ? options.format : 'human', options, io, true));
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (options.format === 'github' && summaryFile !== undefined && summaryFile !== '')
    await appendFile(summaryFile, renderMarkdown(report));
}
