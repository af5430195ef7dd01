import { randomUUID } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { execa } from 'execa';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  RELEVANT_ENV,
  type CommandResult,
  type DirResult,
  type FileResult,
  type FileType,
  type Host,
  type HostContext,
  type HostError,
  type RunOptions,
  type StatResult,
} from '../core/host.js';

/** Generous for `iptables-save` on a busy host, small enough that a runaway command cannot eat the memory. */
export const OUTPUT_CAP_BYTES = 32 * 1024 * 1024;
/** A file larger than this is not something netdoctor needs to read whole (rulesets come from commands). */
const FILE_CAP_BYTES = 4 * 1024 * 1024;
/** After the timeout kills the process group, how long to wait for pipes held by escaped processes. */
const PIPE_GRACE_MS = 500;
/**
 * Every command gets this variable in its environment, with a value of its own, and its children inherit it: a
 * process that left the command's process group (setsid) still carries it, so a timeout can find and end it.
 */
export const COMMAND_MARKER = 'NETDOCTOR_COMMAND';
/** Passes over /proc after a timeout: a marked process may fork while it is being ended. */
const MARKED_KILL_PASSES = 3;
const RUN_ID = randomUUID();
let commandsStarted = 0;

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The processes of this user (or all, as root) whose environment carries the marker. */
async function markedProcesses(marker: string): Promise<number[]> {
  const needle = Buffer.from(`${COMMAND_MARKER}=${marker}\0`);
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
  const marked = await Promise.all(
    pids.map(async (pid) => {
      try {
        const environ = await readFile(`/proc/${pid}/environ`);
        const at = environ.indexOf(needle);
        return at === 0 || (at > 0 && environ[at - 1] === 0) ? pid : undefined;
      } catch {
        // Gone, or another user's process: not one of ours.
        return undefined;
      }
    }),
  );
  return marked.filter((pid): pid is number => pid !== undefined && pid !== process.pid);
}

/**
 * Ends every process that a timed-out command left behind, in its group or not. Only on a timeout: a command that
 * ends by itself may leave a daemon that is meant to stay (rootless podman's pause process).
 */
async function killMarked(marker: string): Promise<void> {
  for (let pass = 0; pass < MARKED_KILL_PASSES; pass++) {
    const pids = await markedProcesses(marker);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // It ended on its own meanwhile.
      }
    }
  }
}

export interface LiveHostOptions {
  commandTimeoutMs?: number;
}

export function liveContext(): HostContext {
  const info = userInfo();
  const env: Record<string, string> = {};
  for (const name of RELEVANT_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    uid: process.getuid?.() ?? info.uid,
    gid: process.getgid?.() ?? info.gid,
    groups: process.getgroups?.() ?? [],
    user: info.username,
    home: info.homedir,
    hostname: hostname(),
    env,
  };
}

function hostError(error: unknown): HostError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return { code: typeof code === 'string' ? code : 'EUNKNOWN', message };
}

function fileType(stats: Stats): FileType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return 'other';
}

export class LiveHost implements Host {
  readonly context: HostContext;
  private readonly commandTimeoutMs: number;

  constructor(options: LiveHostOptions = {}) {
    this.context = liveContext();
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    const [file, ...args] = argv;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (file === undefined) {
      return {
        argv: [],
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        error: { code: 'EINVAL', message: 'empty command' },
      };
    }

    // A process group of its own lets a timeout kill the command's children too: killing only the child
    // leaves a grandchild holding the output pipe, and the run would wait for it.
    commandsStarted += 1;
    const marker = `${RUN_ID}-${commandsStarted}`;
    const subprocess = execa(file, args, {
      stdin: 'ignore',
      env: { LC_ALL: 'C', LANG: 'C', [COMMAND_MARKER]: marker },
      extendEnv: true,
      detached: true,
      cleanup: true,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: OUTPUT_CAP_BYTES,
      encoding: 'utf8',
    });

    let timedOut = false;
    const killGroup = () => {
      timedOut = true;
      if (subprocess.pid !== undefined) {
        try {
          process.kill(-subprocess.pid, 'SIGKILL');
        } catch {
          subprocess.kill('SIGKILL');
        }
      }
    };
    const timer = setTimeout(killGroup, timeoutMs);
    let abandon: (() => void) | undefined;
    const abandoned = new Promise<'abandoned'>((resolve) => {
      abandon = () => resolve('abandoned');
    });
    const graceTimer = setTimeout(() => abandon?.(), timeoutMs + PIPE_GRACE_MS);

    const outcome = await Promise.race([subprocess, abandoned]);
    clearTimeout(timer);
    clearTimeout(graceTimer);
    if (timedOut) await killMarked(marker);

    if (outcome === 'abandoned') {
      // A process that left the group held the pipe: it has just been ended, but stop listening in any case.
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      return {
        argv: [...argv],
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: elapsed(),
        timedOut: true,
        timeoutMs,
        error: {
          code: 'ETIMEDOUT',
          message: `timed out after ${seconds(timeoutMs)} (a child process that left its process group held the output)`,
        },
      };
    }

    const result: CommandResult = {
      argv: [...argv],
      exitCode: outcome.exitCode ?? null,
      stdout: typeof outcome.stdout === 'string' ? outcome.stdout : '',
      stderr: typeof outcome.stderr === 'string' ? outcome.stderr : '',
      durationMs: elapsed(),
      timedOut,
    };
    if (timedOut) {
      result.exitCode = null;
      result.timeoutMs = timeoutMs;
      result.error = { code: 'ETIMEDOUT', message: `timed out after ${seconds(timeoutMs)}` };
    } else if (outcome.isMaxBuffer) {
      result.error = { code: 'EOUTPUTCAP', message: `output larger than ${OUTPUT_CAP_BYTES} bytes` };
    } else if (outcome.failed && outcome.exitCode === undefined) {
      result.error = outcome.signal
        ? { code: 'ESIGNAL', message: `killed by ${outcome.signal}` }
        : outcome.cause !== undefined
          ? hostError(outcome.cause)
          : { code: 'ESPAWN', message: outcome.shortMessage ?? 'could not be started' };
    }
    return result;
  }

  async readFile(path: string): Promise<FileResult> {
    try {
      const info = await stat(path);
      if (info.isFile() && info.size > FILE_CAP_BYTES) {
        return { path, ok: false, error: { code: 'EFBIG', message: `larger than ${FILE_CAP_BYTES} bytes` } };
      }
      return { path, ok: true, content: await readFile(path, 'utf8') };
    } catch (error) {
      return { path, ok: false, error: hostError(error) };
    }
  }

  async readDir(path: string): Promise<DirResult> {
    try {
      const entries = await readdir(path);
      return { path, ok: true, entries: entries.sort() };
    } catch (error) {
      return { path, ok: false, error: hostError(error) };
    }
  }

  async stat(path: string): Promise<StatResult> {
    try {
      const info = await stat(path);
      const result: StatResult = {
        path,
        ok: true,
        stat: { type: fileType(info), mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, size: info.size },
      };
      if (info.isCharacterDevice() || info.isBlockDevice()) {
        result.stat.rdev = {
          major: Math.floor(info.rdev / 256) & 0xfff,
          minor: (info.rdev & 0xff) | ((info.rdev >> 12) & 0xfff00),
        };
      }
      return result;
    } catch (error) {
      return { path, ok: false, error: hostError(error) };
    }
  }
}
