/**
 * Everything a check learns about the machine comes through this interface, so that a live host,
 * a recording of one and a replay of that recording are interchangeable.
 */

export interface HostError {
  /** ENOENT, EACCES, ETIMEDOUT, EOUTPUTCAP, ENOTRECORDED (answeringNotRecorded), ... */
  code: string;
  message: string;
}

export interface CommandResult {
  argv: string[];
  /** null when the command did not exit by itself (spawn failure, timeout, signal). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** The time limit it was killed at, when it timed out. */
  timeoutMs?: number;
  /** Set when the command could not be run or did not finish normally. */
  error?: HostError;
}

export type FileResult = { path: string; ok: true; content: string } | { path: string; ok: false; error: HostError };

export type DirResult = { path: string; ok: true; entries: string[] } | { path: string; ok: false; error: HostError };

export type FileType = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket' | 'other';

export interface FileStat {
  type: FileType;
  /** Permission bits only (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Device numbers, for character and block devices. */
  rdev?: { major: number; minor: number };
}

export type StatResult = { path: string; ok: true; stat: FileStat } | { path: string; ok: false; error: HostError };

/** Who runs netdoctor, and the parts of the environment that change what engines do. */
export interface HostContext {
  uid: number;
  gid: number;
  groups: number[];
  user: string;
  home: string;
  hostname: string;
  env: Record<string, string>;
}

/** How long a command may run unless the caller says otherwise (`--command-timeout`). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 8000;

/**
 * What a replayed snapshot did not record. The replay throws it rather than answer, so that no fact can read a
 * missing answer as an empty one (no rules, no users, no binary): the check that needed it cannot decide, and says
 * what was not recorded.
 */
export class NotRecordedError extends Error {
  readonly code = 'ENOTRECORDED';
}

/**
 * A view of a host for code that reports a missing answer itself (the probes of `why`, which then say they could
 * not tell): what a replay did not record comes back as an ENOTRECORDED error instead of a refusal.
 */
export function answeringNotRecorded(host: Host): Host {
  const answer = <T>(pending: Promise<T>, asError: (error: HostError) => T): Promise<T> =>
    pending.catch((error: unknown) => {
      if (error instanceof NotRecordedError) return asError({ code: error.code, message: error.message });
      throw error;
    });
  return {
    context: host.context,
    run: (argv, options) =>
      answer(host.run(argv, options), (error) => ({
        argv: [...argv],
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        error,
      })),
    readFile: (path) => answer(host.readFile(path), (error) => ({ path, ok: false, error })),
    readDir: (path) => answer(host.readDir(path), (error) => ({ path, ok: false, error })),
    stat: (path) => answer(host.stat(path), (error) => ({ path, ok: false, error })),
  };
}

export interface RunOptions {
  timeoutMs?: number;
}

export interface Host {
  readonly context: HostContext;
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  readFile(path: string): Promise<FileResult>;
  readDir(path: string): Promise<DirResult>;
  /** Follows symbolic links, like stat(2). */
  stat(path: string): Promise<StatResult>;
}

/** Environment variables that change what the engines' CLIs do; recorded so a replay sees the same. */
export const RELEVANT_ENV = [
  'PATH',
  'HOME',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'CONTAINERS_CONF',
  'CONTAINERS_STORAGE_CONF',
  'CONTAINERS_REGISTRIES_CONF',
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'CONTAINER_HOST',
] as const;

export function commandKey(argv: readonly string[]): string {
  return argv.join('\u0000');
}
