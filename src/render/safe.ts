import type { Report } from '../core/report.js';

/**
 * Characters a terminal, a log viewer or an editor acts on instead of showing: C0 controls but tab and newline,
 * DEL, C1 controls (a lone U+009B is a CSI on many terminals), and the bidirectional overrides and isolates that
 * reorder what is shown ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(character: string): string {
  const code = character.charCodeAt(0);
  if (character === '\n') return '\\n';
  if (character === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text from the host, every control character written out (`\x1b`, `\n`), never acted on. */
export function safeLine(text: string): string {
  return text.replace(CONTROL_OR_NEWLINE, visible);
}

/** Text of several lines (an excerpt of a command's output): newlines and tabs stay, other controls are written out. */
export function safeLines(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL, visible);
}

/** Fields whose text may run over several lines: command output and file excerpts. */
const MULTI_LINE_KEYS = new Set(['excerpt']);

function safeValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string')
    return key !== undefined && MULTI_LINE_KEYS.has(key) ? safeLines(value) : safeLine(value);
  if (Array.isArray(value)) return value.map((item) => safeValue(item, key));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, safeValue(item, name)]));
  return value;
}

/**
 * The report as a terminal, a ticket or a CI log may show it: every string that came from the host (names,
 * rule comments, command output) with its control characters written out. The JSON format keeps the exact text.
 */
export function terminalSafe(report: Report): Report {
  return safeValue(report, undefined) as Report;
}
