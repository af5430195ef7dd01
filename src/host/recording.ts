import {
  commandKey,
  type CommandResult,
  type DirResult,
  type FileResult,
  type Host,
  type HostContext,
  type RunOptions,
  type StatResult,
} from '../core/host.js';
import type { Snapshot } from './snapshot.js';

/**
 * Wraps a host for one diagnosis run: every command, file, folder and stat is asked of the inner host at most
 * once, however many checks want it, and everything asked can be written out as a snapshot.
 */
export class RecordingHost implements Host {
  readonly context: HostContext;
  private readonly commands = new Map<string, Promise<CommandResult>>();
  private readonly files = new Map<string, Promise<FileResult>>();
  private readonly dirs = new Map<string, Promise<DirResult>>();
  private readonly stats = new Map<string, Promise<StatResult>>();

  constructor(private readonly inner: Host) {
    this.context = inner.context;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return once(this.commands, commandKey(argv), () => this.inner.run(argv, options));
  }

  readFile(path: string): Promise<FileResult> {
    return once(this.files, path, () => this.inner.readFile(path));
  }

  readDir(path: string): Promise<DirResult> {
    return once(this.dirs, path, () => this.inner.readDir(path));
  }

  stat(path: string): Promise<StatResult> {
    return once(this.stats, path, () => this.inner.stat(path));
  }

  /** How many distinct commands were run: each at most once. */
  get commandCount(): number {
    return this.commands.size;
  }

  async snapshot(tool: { name: string; version: string }, recordedAt: Date): Promise<Snapshot> {
    return {
      kind: 'netdoctor-snapshot',
      version: 1,
      tool,
      recordedAt: recordedAt.toISOString(),
      context: this.context,
      commands: await answered(this.commands),
      files: await answered(this.files),
      dirs: await answered(this.dirs),
      stats: await answered(this.stats),
    };
  }
}

/** What the inner host answered; what it refused (a replay asked for what it did not record) stays unrecorded. */
async function answered<T>(cache: Map<string, Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(cache.values());
  return settled.flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []));
}

function once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = load();
    cache.set(key, pending);
  }
  return pending;
}
