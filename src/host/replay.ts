import {
  NotRecordedError,
  commandKey,
  type CommandResult,
  type DirResult,
  type FileResult,
  type Host,
  type HostContext,
  type StatResult,
} from '../core/host.js';
import { shellLine } from '../core/shell.js';
import type { Snapshot } from './snapshot.js';

function notRecorded(what: string): NotRecordedError {
  return new NotRecordedError(`${what} was not recorded in the snapshot`);
}

/** Answers from a snapshot, never from the machine it runs on; what it does not hold, it refuses (NotRecordedError). */
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
    const found = this.commands.get(commandKey(argv));
    if (found === undefined) throw notRecorded(`the command \`${shellLine(argv)}\``);
    return found;
  }

  async readFile(path: string): Promise<FileResult> {
    const found = this.files.get(path);
    if (found === undefined) throw notRecorded(`the file ${path}`);
    return found;
  }

  async readDir(path: string): Promise<DirResult> {
    const found = this.dirs.get(path);
    if (found === undefined) throw notRecorded(`the folder ${path}`);
    return found;
  }

  async stat(path: string): Promise<StatResult> {
    const found = this.stats.get(path);
    if (found === undefined) throw notRecorded(`the status of ${path}`);
    return found;
  }
}
