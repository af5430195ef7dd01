import { execa } from 'execa';

/** The PATH every lab command and every netdoctor run gets: the same as test/lab/env/lib.sh. */
export const LAB_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunResult {
  argv: string[];
  /** null when the command did not exit by itself (timeout, signal, spawn failure). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Why it could not be started, when it could not. */
  spawnError?: string;
}

export interface RunOptions {
  /** Hard limit: the command and its process group are killed (SIGKILL) after it. Default 60 s. */
  timeoutMs?: number;
  /** Replaces the environment entirely (no inheritance), so that runs do not depend on the caller's shell. */
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
}

/** After the process group is killed, how long to wait for output pipes still held by escaped processes. */
const PIPE_GRACE_MS = 1000;

export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: LAB_PATH, HOME: '/root', LC_ALL: 'C', LANG: 'C', USER: 'root', LOGNAME: 'root', ...extra };
}

/**
 * Runs one command, bounded: a process group of its own is killed with SIGKILL at the timeout (execa's own
 * timeout only reaches the direct child), and a pipe kept open by a process that left the group (a daemon
 * started with setsid without redirecting its output) is abandoned after a short grace period.
 * Never throws: the result says what happened.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (file === undefined)
    return {
      argv: [],
      exitCode: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      durationMs: 0,
      spawnError: 'empty command',
    };
  const subprocess = execa(file, args, {
    env: options.env ?? baseEnv(),
    extendEnv: false,
    cwd: options.cwd ?? '/',
    detached: true,
    cleanup: true,
    reject: false,
    timeout: timeoutMs + 200,
    killSignal: 'SIGKILL',
    forceKillAfterDelay: false,
    stripFinalNewline: false,
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'utf8',
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  let timedOut = false;
  const killGroup = () => {
    timedOut = true;
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, 'SIGKILL');
    } catch {
      subprocess.kill('SIGKILL');
    }
  };
  const timer = setTimeout(killGroup, timeoutMs);
  let abandon: () => void = () => undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => {
    abandon = () => resolve('abandoned');
  });
  const graceTimer = setTimeout(() => abandon(), timeoutMs + PIPE_GRACE_MS);
  const outcome = await Promise.race([subprocess, abandoned]);
  clearTimeout(timer);
  clearTimeout(graceTimer);
  if (outcome === 'abandoned') {
    subprocess.stdout?.destroy();
    subprocess.stderr?.destroy();
    return {
      argv: [...argv],
      exitCode: null,
      stdout: '',
      stderr: `timed out after ${timeoutMs} ms (output pipe still held)`,
      timedOut: true,
      durationMs: elapsed(),
    };
  }
  const result: RunResult = {
    argv: [...argv],
    exitCode: timedOut || outcome.timedOut ? null : (outcome.exitCode ?? null),
    stdout: typeof outcome.stdout === 'string' ? outcome.stdout : '',
    stderr: typeof outcome.stderr === 'string' ? outcome.stderr : '',
    timedOut: timedOut || outcome.timedOut,
    durationMs: elapsed(),
  };
  if (outcome.failed && outcome.exitCode === undefined && !result.timedOut) {
    result.spawnError = outcome.signal
      ? `killed by ${outcome.signal}`
      : (outcome.shortMessage ?? 'could not be started');
  }
  return result;
}

/** `sh -c SCRIPT`, bounded like run(). */
export function sh(script: string, options: RunOptions = {}): Promise<RunResult> {
  return run(['sh', '-c', script], options);
}

export function ok(result: RunResult): boolean {
  return result.exitCode === 0;
}

/** stdout and stderr together, trimmed, for messages. */
export function output(result: RunResult): string {
  return [result.stdout.trim(), result.stderr.trim()].filter((part) => part !== '').join('\n');
}

/** A one-line account of a result: exit status and the first meaningful line of output. */
export function brief(result: RunResult, max = 120): string {
  const status = result.timedOut ? 'timed out' : result.spawnError ? result.spawnError : `exit ${result.exitCode}`;
  const line = firstMeaningfulLine(output(result));
  return line ? `${status}: ${clip(line, max)}` : status;
}

export function firstMeaningfulLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      // podman's syslog noise is no information
      .find((line) => line !== '' && !line.startsWith('failed to connect to syslog')) ?? ''
  );
}

export function clip(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Thrown by a probe or step whose outcome is not what the scenario needs. */
export class LabError extends Error {}

/** Runs a command that must succeed; throws a LabError naming it otherwise. */
export async function must(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(argv, options);
  if (!ok(result)) throw new LabError(`\`${argv.join(' ')}\` failed (${brief(result, 300)})`);
  return result;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check() returns a value other than undefined, at most `attempts` times `intervalMs` apart. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { attempts = 60, intervalMs = 500 } = {},
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
  throw new LabError(`timed out after ${(attempts * intervalMs) / 1000} s waiting for ${what}`);
}
