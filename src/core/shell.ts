/**
 * Fix commands are pasted into a root shell, and names in them come from the host (a network named
 * `x; rm -rf /` is a valid docker network name): every argument is quoted for a POSIX shell where it needs it.
 */

const SAFE = /^[\w@%+=:,./-]+$/;

/** An argument as a POSIX shell reads it back: bare when it holds only safe characters, else single-quoted. */
export function shellQuote(arg: string): string {
  return SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One command line that a shell splits back into exactly these arguments. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Operands that come from the host: after `--` when one starts with `-`, so that no tool reads it as an option. */
export function operands(...values: string[]): string[] {
  return values.some((value) => value.startsWith('-')) ? ['--', ...values] : values;
}

/** A command line that writes these lines to a file: `printf 'LINE\nLINE\n' > FILE`. */
export function writeFileLine(path: string, lines: readonly string[]): string {
  // Lines with printf's own special characters go in as arguments of a '%s\n' format instead.
  const literal = lines.every((line) => !/[%\\]/.test(line));
  const printf = literal ? ['printf', `${lines.join('\\n')}\\n`] : ['printf', '%s\\n', ...lines];
  return `${shellLine(printf)} > ${shellQuote(path)}`;
}
