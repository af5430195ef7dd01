import type { Severity } from '../core/types.js';

export type Style = 'red' | 'yellow' | 'green' | 'cyan' | 'dim' | 'bold';
export type Paint = (style: Style, text: string) => string;

const CODES: Record<Style, [number, number]> = {
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** The one painter of every renderer: ANSI styles when colour is on, the text unchanged when it is off. */
export function painter(color: boolean): Paint {
  return (style, text) => (color ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text);
}

export const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info'];
