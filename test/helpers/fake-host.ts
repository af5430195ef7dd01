import { onTestFinished } from 'vitest';
import {
  commandKey,
  type CommandResult,
  type DirResult,
  type FileResult,
  type FileStat,
  type Host,
  type HostContext,
  type HostError,
  type StatResult,
} from '../../src/core/host.js';
import { shellLine } from '../../src/core/shell.js';
import type { Snapshot } from '../../src/host/snapshot.js';

export type RequestKind = 'run' | 'readFile' | 'readDir' | 'stat';

/** One answer a test declares; what it leaves out is an empty, successful output. */
export interface FakeCommand {
  argv: string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number | null;
  error?: HostError;
}

export interface FakeHostSetup {
  /** Answers recorded on a real host; the fields below replace or add to them. */
  snapshot?: Snapshot;
  commands?: FakeCommand[];
  /** A file's content, or the error reading it gives. */
  files?: Record<string, string | HostError>;
  dirs?: Record<string, string[] | HostError>;
  stats?: Record<string, FileStat | HostError>;
}

export const ENOENT: HostError = { code: 'ENOENT', message: 'No such file or directory' };
export const EACCES: HostError = { code: 'EACCES', message: 'Permission denied' };

const DEFAULT_CONTEXT: HostContext = {
  uid: 1000,
  gid: 1000,
  groups: [1000],
  user: 'tester',
  home: '/home/tester',
  hostname: 'fakehost',
  env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/home/tester' },
};

function isError(value: unknown): value is HostError {
  return typeof value === 'object' && value !== null && 'code' in value && !Array.isArray(value);
}

/**
 * A host that answers only what the test declared, like flutter's FakeProcessManager: anything else throws
 * and fails the test when it ends, even if a check or the runner caught the throw. Build it inside a test.
 */
export class FakeHost implements Host {
  readonly context: HostContext;
  /** Every request, in order, as "run <command line>", "readFile <path>", ... */
  readonly requests: string[] = [];
  private readonly undeclared: string[] = [];
  private readonly commands = new Map<string, CommandResult>();
  private readonly files = new Map<string, FileResult>();
  private readonly dirs = new Map<string, DirResult>();
  private readonly stats = new Map<string, StatResult>();
  private readonly origin: string;

  constructor(setup: FakeHostSetup = {}) {
    const { snapshot } = setup;
    this.context = snapshot?.context ?? DEFAULT_CONTEXT;
    this.origin =
      snapshot === undefined
        ? 'the test'
        : `the snapshot recorded at ${snapshot.recordedAt} (re-record it if the checks changed) or the test`;
    for (const entry of snapshot?.commands ?? []) this.commands.set(commandKey(entry.argv), entry);
    for (const entry of snapshot?.files ?? []) this.files.set(entry.path, entry);
    for (const entry of snapshot?.dirs ?? []) this.dirs.set(entry.path, entry);
    for (const entry of snapshot?.stats ?? []) this.stats.set(entry.path, entry);
    for (const command of setup.commands ?? []) {
      const result: CommandResult = {
        argv: command.argv,
        exitCode: command.exitCode === undefined ? (command.error ? null : 0) : command.exitCode,
        stdout: command.stdout ?? '',
        stderr: command.stderr ?? '',
        durationMs: 1,
        timedOut: false,
      };
      if (command.error) result.error = command.error;
      this.commands.set(commandKey(command.argv), result);
    }
    for (const [path, value] of Object.entries(setup.files ?? {})) {
      this.files.set(path, isError(value) ? { path, ok: false, error: value } : { path, ok: true, content: value });
    }
    for (const [path, value] of Object.entries(setup.dirs ?? {})) {
      this.dirs.set(path, isError(value) ? { path, ok: false, error: value } : { path, ok: true, entries: value });
    }
    for (const [path, value] of Object.entries(setup.stats ?? {})) {
      this.stats.set(path, isError(value) ? { path, ok: false, error: value } : { path, ok: true, stat: value });
    }
    onTestFinished(() => {
      if (this.undeclared.length > 0) {
        throw new Error(
          `FakeHost was asked for what ${this.origin} did not declare:\n  ${this.undeclared.join('\n  ')}`,
        );
      }
    });
  }

  /** The undeclared requests so far, which then no longer fail the test: for a test that expects them. */
  takeUndeclared(): string[] {
    return this.undeclared.splice(0);
  }

  /** How many times this exact request was made. */
  timesAsked(kind: RequestKind, what: string | readonly string[]): number {
    const request = `${kind} ${typeof what === 'string' ? what : shellLine(what)}`;
    return this.requests.filter((candidate) => candidate === request).length;
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    return this.answer('run', shellLine(argv), this.commands.get(commandKey(argv)));
  }

  async readFile(path: string): Promise<FileResult> {
    return this.answer('readFile', path, this.files.get(path));
  }

  async readDir(path: string): Promise<DirResult> {
    return this.answer('readDir', path, this.dirs.get(path));
  }

  async stat(path: string): Promise<StatResult> {
    return this.answer('stat', path, this.stats.get(path));
  }

  private answer<T>(kind: RequestKind, what: string, declared: T | undefined): T {
    const request = `${kind} ${what}`;
    this.requests.push(request);
    if (declared === undefined) {
      this.undeclared.push(request);
      throw new Error(`FakeHost: undeclared ${request}`);
    }
    return structuredClone(declared);
  }
}
