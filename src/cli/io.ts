import { open } from 'node:fs/promises';
import type { Ora } from 'ora';
import type { Snapshot } from '../host/snapshot.js';
import { safeLine } from '../render/safe.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** The system-wide config file; /etc/netdoctor/config.toml unless a test points elsewhere. */
  systemConfig?: string;
}

/** The width the human report wraps to: the terminal's, or 100 columns without one (a pipe, `stty cols 0`). */
export function reportWidth(io: Io): number {
  const columns = io.stdout.isTTY === true ? (io.stdout.columns ?? 0) : 0;
  return columns > 0 ? Math.max(columns, 40) : 100;
}

export interface Spinner {
  text: string;
  stop(): void;
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * ora divides by the stream's columns to count the lines it must clear: on a terminal of 0 columns it loops
 * forever writing cursor moves. The spinner sees a width of at least 1 whatever the terminal later reports.
 */
function withWidth(stream: Io['stderr']): Io['stderr'] {
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'columns') return (target.columns ?? 0) > 0 ? target.columns : 80;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A spinner on stderr while the report is being made: only on a terminal that reports a width, never under CI,
 * coloured only when colour is on. It never puts the terminal in raw mode (ora's discardStdin would), so Ctrl-C
 * stays a SIGINT; SIGINT and SIGTERM stop it, show the cursor again and end netdoctor with 128 + the signal.
 */
export async function startSpinner(io: Io, human: boolean, text: string, color: boolean): Promise<Spinner | undefined> {
  const stream = io.stderr;
  if (!human || stream.isTTY !== true || io.env.CI || !((stream.columns ?? 0) > 0)) return undefined;
  // Loaded only here: --version, --help, list and explain never load ora.
  const { default: ora } = await import('ora');
  const spinner: Ora = ora({
    text: safeLine(text),
    stream: withWidth(stream),
    color: color ? 'cyan' : false,
    discardStdin: false,
  }).start();
  const handlers = Object.entries(SIGNAL_NUMBERS).map(([signal, number]) => {
    const handler = () => {
      stop();
      process.exit(128 + number);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  const stop = () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    if (spinner.isSpinning) spinner.stop();
    stream.write('\u001b[?25h');
  };
  return {
    get text() {
      return spinner.text;
    },
    set text(value: string) {
      spinner.text = safeLine(value);
    },
    stop,
  };
}

export function useColor(option: 'auto' | 'always' | 'never' | undefined, io: Io): boolean {
  if (option === 'never' || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')) return false;
  if (option === 'always') return true;
  return io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}

/** Writes a file only its owner can read: created 0600; an existing file is narrowed to 0600 before it is filled. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const file = await open(path, 'w', 0o600);
  try {
    await file.chmod(0o600);
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

export async function writeSnapshot(snapshot: Snapshot, file: string, io: Io): Promise<void> {
  await writePrivateFile(file, `${JSON.stringify(snapshot, null, 1)}\n`);
  io.stderr.write(
    `netdoctor: recorded ${snapshot.commands.length} commands, ${snapshot.files.length} files, ${snapshot.dirs.length} folders and ${snapshot.stats.length} stats to ${file}\n`,
  );
}
