import { baseEnv, ok, run, type RunResult } from './exec.js';
import { GEN2_ENV } from './gen2.js';
import { describeAction, type HostGuard, type UndoAction } from './guard.js';

/** What a scenario changes the host it diagnoses through: this host (HostGuard) or a gen2 environment. */
export type Guard = Pick<
  HostGuard,
  | 'pending'
  | 'recordSysctls'
  | 'sysctl'
  | 'move'
  | 'chmod'
  | 'guardFile'
  | 'writeFile'
  | 'stopProcess'
  | 'tree'
  | 'setAlternative'
  | 'addNetns'
  | 'undo'
  | 'undoPath'
>;

/** Inside the environment, where moved files are parked (its upper layer: gone with it). */
const MOVED_INSIDE = '/var/lib/netdoctor-lab/moved';

/**
 * The same changes as HostGuard, made inside a gen2 environment by commands run there (the host's own files,
 * sysctls and processes are never touched: /proc/sys/net answers for the netns of whoever reads it, and
 * absolute links resolve against the host's root from outside). Nothing is journaled: a killed run's
 * environment is ended by the next run's sweep, and everything changed in it ends with it. Undo still works
 * during the scenario (a fix that puts a binary back).
 */
export class EnvironmentGuard implements Guard {
  private actions: UndoAction[] = [];

  constructor(
    private readonly owner: string,
    private readonly prefix: () => string[],
  ) {}

  get pending(): readonly UndoAction[] {
    return this.actions;
  }

  private inside(argv: string[], input?: string): Promise<RunResult> {
    return run([...this.prefix(), ...argv], {
      timeoutMs: 30_000,
      env: baseEnv(GEN2_ENV),
      ...(input !== undefined ? { input } : {}),
    });
  }

  private async must(argv: string[], input?: string): Promise<string> {
    const result = await this.inside(argv, input);
    if (!ok(result))
      throw new Error(
        `\`${argv.join(' ')}\` in the gen2 environment failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
      );
    return result.stdout;
  }

  private async exists(path: string): Promise<boolean> {
    return ok(await this.inside(['test', '-e', path, '-o', '-L', path]));
  }

  /** Nothing to record: the environment's sysctls end with it. */
  async recordSysctls(): Promise<void> {}

  async sysctl(name: string, value: string): Promise<void> {
    const path = `/proc/sys/${name.replaceAll('.', '/')}`;
    if (!this.actions.some((action) => action.kind === 'sysctl' && action.path === path)) {
      this.actions.push({ kind: 'sysctl', path, value: (await this.must(['cat', path])).trim() });
    }
    await this.must(['sysctl', '-q', '-w', `${name}=${value}`]);
  }

  async move(path: string): Promise<void> {
    const parked = `${MOVED_INSIDE}/${this.owner}.${path.split('/').pop()}`;
    if (await this.exists(parked)) throw new Error(`${parked} exists in the gen2 environment`);
    await this.must(['mkdir', '-p', MOVED_INSIDE]);
    this.actions.push({ kind: 'move', original: path, parked });
    await this.must(['mv', path, parked]);
  }

  async chmod(path: string, mode: number): Promise<string> {
    const target = (await this.must(['readlink', '-f', path])).trim();
    if (!this.actions.some((action) => action.kind === 'mode' && action.path === target)) {
      this.actions.push({
        kind: 'mode',
        path: target,
        mode: parseInt((await this.must(['stat', '-c', '%a', target])).trim(), 8),
      });
    }
    await this.must(['chmod', mode.toString(8), target]);
    return target;
  }

  async guardFile(path: string): Promise<void> {
    if (this.actions.some((action) => action.kind === 'file' && action.path === path)) return;
    const present = ok(await this.inside(['test', '-f', path]));
    const content = present ? await this.must(['cat', path]) : null;
    const mode = present ? parseInt((await this.must(['stat', '-c', '%a', path])).trim(), 8) : 0o644;
    this.actions.push({ kind: 'file', path, content, mode });
  }

  async writeFile(path: string, content: string): Promise<void> {
    await this.guardFile(path);
    await this.must(['sh', '-c', 'cat >"$1"', 'write', path], content);
  }

  /** SIGSTOP to a process of the environment, by the pid it has there. */
  async stopProcess(pid: number): Promise<void> {
    this.actions.push({ kind: 'cont', pid });
    await this.must(['kill', '-STOP', String(pid)]);
  }

  async tree(path: string): Promise<void> {
    this.actions.push({ kind: 'tree', path });
    await this.must(['mkdir', '-p', path]);
  }

  async setAlternative(name: string, path: string): Promise<void> {
    const query = await this.must(['update-alternatives', '--query', name]);
    const status = /^Status: (\S+)$/m.exec(query)?.[1];
    const value = /^Value: (\S+)$/m.exec(query)?.[1];
    if (status === undefined || value === undefined)
      throw new Error(`update-alternatives --query ${name} names no status or value`);
    this.actions.push({ kind: 'alternative', name, status, value });
    await this.must(['update-alternatives', '--set', name, path]);
  }

  async addNetns(name: string): Promise<void> {
    this.actions.push({ kind: 'netns', name });
    await this.must(['ip', 'netns', 'add', name]);
  }

  async undo(match: (action: UndoAction) => boolean = () => true): Promise<string[]> {
    const done: string[] = [];
    const errors: string[] = [];
    for (let index = this.actions.length - 1; index >= 0; index--) {
      const action = this.actions[index]!;
      if (!match(action)) continue;
      try {
        await this.undoAction(action);
        done.push(describeAction(action));
        this.actions.splice(index, 1);
      } catch (error) {
        errors.push(`${describeAction(action)}: ${(error as Error).message}`);
      }
    }
    if (errors.length > 0) throw new Error(`could not undo in the gen2 environment: ${errors.join('; ')}`);
    return done;
  }

  undoPath(path: string): Promise<string[]> {
    return this.undo(
      (action) =>
        (action.kind === 'move' && action.original === path) ||
        (action.kind === 'file' && action.path === path) ||
        (action.kind === 'mode' && action.path === path),
    );
  }

  private async undoAction(action: UndoAction): Promise<void> {
    switch (action.kind) {
      case 'move':
        if (await this.exists(action.parked)) await this.must(['mv', '-f', '-T', action.parked, action.original]);
        return;
      case 'mode':
        await this.must(['chmod', action.mode.toString(8), action.path]);
        return;
      case 'file':
        if (action.content === null) await this.must(['rm', '-f', action.path]);
        else
          await this.must(
            ['sh', '-c', 'cat >"$1" && chmod "$2" "$1"', 'restore', action.path, action.mode.toString(8)],
            action.content,
          );
        return;
      case 'sysctl':
        // An interface that is gone has nothing left to restore.
        if (ok(await this.inside(['test', '-e', action.path])))
          await this.must(['sh', '-c', 'printf "%s\\n" "$2" >"$1"', 'sysctl', action.path, action.value]);
        return;
      case 'cont':
        await this.inside(['kill', '-CONT', String(action.pid)]);
        return;
      case 'tree':
        await this.must(['rm', '-rf', action.path]);
        return;
      case 'alternative':
        await this.must(
          action.status === 'auto'
            ? ['update-alternatives', '--auto', action.name]
            : ['update-alternatives', '--set', action.name, action.value],
        );
        return;
      case 'netns':
        if (await this.exists(`/run/netns/${action.name}`)) await this.must(['ip', 'netns', 'delete', action.name]);
        return;
    }
  }
}
