import {
  commandKey,
  type CommandResult,
  type DirResult,
  type FileResult,
  type Host,
  type HostContext,
  type HostError,
  type StatResult,
} from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { Snapshot } from './snapshot.js';

function notRecorded(what: string): HostError {
  return { code: 'ENOTRECORDED', message: `${what} was not recorded in the snapshot` };
}

/** Answers from a snapshot, never from the machine it runs on. */
export class ReplayHost implements Host {
  readonly context: HostContext;
  private readonly commands: Map<string, CommandResult>;
  private readonly files: Map<string, FileResult>;
  private readonly dirs: Map<string, DirResult>;
  private readonly stats: Map<string, StatResult>;

  constructor(snapshot: Snapshot) {
    this.context = snapshot.context;
    this.commands = new Map(snapshot.commands.map((entry) => [commandKey(entry.argv), entry]));
    this.files = new Map(snapshot.files.map((entry) => [entry.path, entry]));
    this.dirs = new Map(snapshot.dirs.map((entry) => [entry.path, entry]));
    this.stats = new Map(snapshot.stats.map((entry) => [entry.path, entry]));
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    return (
      this.commands.get(commandKey(argv)) ?? {
        argv: [...argv],
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        error: notRecorded(`the command \`${shellLine(argv)}\``),
      }
    );
  }

  async readFile(path: string): Promise<FileResult> {
    return this.files.get(path) ?? { path, ok: false, error: notRecorded(`the file ${path}`) };
  }

  async readDir(path: string): Promise<DirResult> {
    return this.dirs.get(path) ?? { path, ok: false, error: notRecorded(`the folder ${path}`) };
  }

  async stat(path: string): Promise<StatResult> {
    return this.stats.get(path) ?? { path, ok: false, error: notRecorded(`the status of ${path}`) };
  }
}
