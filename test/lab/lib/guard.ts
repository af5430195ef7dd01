import {
  chmod,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { basename } from 'node:path';
import { spawn } from 'node:child_process';
import { baseEnv, run } from './exec.js';
import { JOURNAL, MOVED_DIR } from './paths.js';

/**
 * One change a scenario made to the host, with what it takes to undo it. Undo actions are journaled to disk
 * as they are taken, so that a run killed half-way is repaired by the next one (`run.js restore` too).
 */
export type UndoAction =
  | { kind: 'move'; original: string; parked: string }
  | { kind: 'mode'; path: string; mode: number }
  | { kind: 'file'; path: string; content: string | null; mode: number }
  | { kind: 'sysctl'; path: string; value: string }
  | { kind: 'cont'; pid: number }
  | { kind: 'tree'; path: string }
  | { kind: 'alternative'; name: string; status: string; value: string }
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  | { kind: 'rules'; pattern: string }
  | { kind: 'policy'; chain: string; policy: string }
  | { kind: 'nft-table'; family: string; name: string }
  | { kind: 'process'; pid: number; comm: string };

export function describeAction(action: UndoAction): string {
  switch (action.kind) {
    case 'move':
      return `${action.original} put back`;
    case 'mode':
      return `${action.path} mode ${action.mode.toString(8)}`;
    case 'file':
      return action.content === null ? `${action.path} removed` : `${action.path} restored`;
    case 'sysctl':
      return `${action.path.replace('/proc/sys/', '').replaceAll('/', '.')} = ${action.value.replace(/\s+/g, ' ')}`;
    case 'cont':
      return `SIGCONT to pid ${action.pid}`;
    case 'tree':
      return `${action.path} removed`;
    case 'alternative':
      return `alternative ${action.name}: ${action.status === 'auto' ? 'auto' : action.value}`;
    case 'netns':
      return `network namespace ${action.name} deleted`;
    case 'link':
      return `link ${action.name} deleted`;
    case 'rules':
      return `iptables rules matching /${action.pattern}/ deleted`;
    case 'policy':
      return `iptables policy of ${action.chain} back to ${action.policy}`;
    case 'nft-table':
      return `nftables table ${action.family} ${action.name} deleted`;
    case 'process':
      return `process ${action.pid} (${action.comm}) ended`;
  }
}

/** `update-alternatives --query NAME`: its mode (auto, manual) and the chosen path. */
export async function queryAlternative(name: string): Promise<{ status: string; value: string }> {
  const query = await run(['update-alternatives', '--query', name], { timeoutMs: 15_000 });
  const status = /^Status: (\S+)$/m.exec(query.stdout)?.[1];
  const value = /^Value: (\S+)$/m.exec(query.stdout)?.[1];
  if (query.exitCode !== 0 || status === undefined || value === undefined)
    throw new Error(`update-alternatives --query ${name} names no status or value`);
  return { status, value };
}

async function mustRun(argv: string[]): Promise<void> {
  const result = await run(argv, { timeoutMs: 15_000 });
  if (result.exitCode !== 0) throw new Error(`\`${argv.join(' ')}\` failed: ${result.stderr.trim()}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function readSysctl(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Sysctls the lab may change (directly or through a fix netdoctor prints): recorded before every scenario. */
export async function watchedSysctls(): Promise<string[]> {
  const conf = await readdir('/proc/sys/net/ipv4/conf').catch(() => [] as string[]);
  // Per-interface first, ip_forward last: undo runs in reverse, and writing ip_forward resets every interface.
  return [
    ...conf
      .filter((name) => name !== 'all' && name !== 'default')
      .map((name) => `/proc/sys/net/ipv4/conf/${name}/forwarding`),
    '/proc/sys/net/ipv4/conf/default/forwarding',
    '/proc/sys/net/ipv4/conf/all/forwarding',
    '/proc/sys/net/ipv6/conf/all/forwarding',
    '/proc/sys/net/ipv4/ping_group_range',
    '/proc/sys/net/ipv4/ip_forward',
  ];
}

function sameSysctl(a: string, b: string): boolean {
  return a.split(/\s+/).join(' ') === b.split(/\s+/).join(' ');
}

export class HostGuard {
  private actions: UndoAction[] = [];

  constructor(private readonly owner: string) {}

  get pending(): readonly UndoAction[] {
    return this.actions;
  }

  private async push(action: UndoAction): Promise<void> {
    this.actions.push(action);
    await this.persist();
  }

  private async persist(): Promise<void> {
    if (this.actions.length === 0) {
      await rm(JOURNAL, { force: true });
      return;
    }
    await mkdir(MOVED_DIR, { recursive: true });
    await writeFile(JOURNAL, `${JSON.stringify({ owner: this.owner, actions: this.actions }, null, 1)}\n`);
  }

  /** Records the watched sysctls, so that whatever changes them (the scenario, a printed fix) is undone. */
  async recordSysctls(): Promise<void> {
    for (const path of await watchedSysctls()) {
      const value = await readSysctl(path);
      if (value !== undefined) this.actions.push({ kind: 'sysctl', path, value });
    }
    await this.persist();
  }

  async sysctl(name: string, value: string): Promise<void> {
    const path = `/proc/sys/${name.replaceAll('.', '/')}`;
    if (!this.actions.some((action) => action.kind === 'sysctl' && action.path === path)) {
      const original = await readSysctl(path);
      if (original === undefined) throw new Error(`no sysctl ${name}`);
      await this.push({ kind: 'sysctl', path, value: original });
    }
    await writeFile(path, `${value}\n`);
  }

  /** Moves a file (or the symbolic link itself) out of the way, as if it had been deleted. */
  async move(path: string): Promise<void> {
    const parked = `${MOVED_DIR}/${this.owner}.${basename(path)}`;
    await mkdir(MOVED_DIR, { recursive: true });
    if (await exists(parked)) throw new Error(`${parked} exists: an earlier run left it (run.js restore puts it back)`);
    await this.push({ kind: 'move', original: path, parked });
    await rename(path, parked);
  }

  /** chmod of the file a path resolves to (a symbolic link's target: chmod follows links). */
  async chmod(path: string, mode: number): Promise<string> {
    const target = await realpath(path);
    if (!this.actions.some((action) => action.kind === 'mode' && action.path === target)) {
      await this.push({ kind: 'mode', path: target, mode: (await stat(target)).mode & 0o7777 });
    }
    await chmod(target, mode);
    return target;
  }

  /** Remembers a file's content (or its absence) so that whatever writes it is undone. */
  async guardFile(path: string): Promise<void> {
    if (this.actions.some((action) => action.kind === 'file' && action.path === path)) return;
    let content: string | null;
    let mode = 0o644;
    try {
      const info = await stat(path);
      mode = info.mode & 0o7777;
      content = await readFile(path, 'utf8');
    } catch {
      content = null;
    }
    await this.push({ kind: 'file', path, content, mode });
  }

  async writeFile(path: string, content: string): Promise<void> {
    await this.guardFile(path);
    await writeFile(path, content);
  }

  async stopProcess(pid: number): Promise<void> {
    await this.push({ kind: 'cont', pid });
    process.kill(pid, 'SIGSTOP');
  }

  /** A folder the scenario creates and must remove (after unmounting anything mounted below it). */
  async tree(path: string): Promise<void> {
    await this.push({ kind: 'tree', path });
    await mkdir(path, { recursive: true });
  }

  /** Points an alternative (iptables) elsewhere; the undo puts back its mode and choice. */
  async setAlternative(name: string, path: string): Promise<void> {
    await this.push({ kind: 'alternative', name, ...(await queryAlternative(name)) });
    await mustRun(['update-alternatives', '--set', name, path]);
  }

  /** A network namespace of the scenario's own; the undo deletes it, and with it what lives only there. */
  async addNetns(name: string): Promise<void> {
    await this.push({ kind: 'netns', name });
    await mustRun(['ip', 'netns', 'add', name]);
  }

  /** An interface of the scenario's own in the host's namespace (a veth): made by argv, deleted by the undo. */
  async addLink(name: string, argv: string[]): Promise<void> {
    await this.trackLink(name);
    await mustRun(argv);
  }

  /** An interface something else will make (a printed fix's macvlan shim): deleted by the undo if it exists. */
  async trackLink(name: string): Promise<void> {
    await this.push({ kind: 'link', name });
  }

  /**
   * A daemon the scenario starts (a fake server, a port holder), detached: the undo ends it by its pid, checked
   * against its name, never by name alone. The caller bounds its life too (`timeout`), in case the undo never runs.
   */
  async spawn(argv: string[]): Promise<number> {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: baseEnv() });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${argv.join(' ')}`);
    await this.push({ kind: 'process', pid, comm: basename(argv[0]!).slice(0, 15) });
    return pid;
  }

  /**
   * iptables rules (filter and nat tables) that will mention the scenario's objects: its own, and those a printed fix
   * adds. The undo deletes every rule whose `iptables -S` line matches.
   */
  async sweepRulesAfterwards(pattern: string): Promise<void> {
    if (!this.actions.some((action) => action.kind === 'rules' && action.pattern === pattern))
      await this.push({ kind: 'rules', pattern });
  }

  /** Sets the policy of a filter table chain (FORWARD); the undo sets the one it had. */
  async setPolicy(chain: string, policy: string): Promise<void> {
    if (!this.actions.some((action) => action.kind === 'policy' && action.chain === chain))
      await this.push({ kind: 'policy', chain, policy: await chainPolicy(chain) });
    await mustRun(['iptables', '-w', '5', '-P', chain, policy]);
  }

  /** An nftables table of the scenario's own, loaded from `script` (`nft -f` syntax); the undo deletes it. */
  async addNftTable(family: string, name: string, script: string): Promise<void> {
    await this.push({ kind: 'nft-table', family, name });
    const result = await run(['nft', '-f', '-'], { input: `${script}\n`, timeoutMs: 15_000 });
    if (result.exitCode !== 0) throw new Error(`nft -f failed: ${result.stderr.trim()}`);
  }

  /** A process the scenario started (a service on the host); the undo ends it by its pid, if it is still that. */
  async trackProcess(pid: number, comm: string): Promise<void> {
    await this.push({ kind: 'process', pid, comm });
  }

  /** Undoes the matching actions (all by default), newest first. Returns what was undone; throws after trying all. */
  async undo(match: (action: UndoAction) => boolean = () => true): Promise<string[]> {
    const done: string[] = [];
    const errors: string[] = [];
    for (let index = this.actions.length - 1; index >= 0; index--) {
      const action = this.actions[index]!;
      if (!match(action)) continue;
      try {
        if (await undoAction(action)) done.push(describeAction(action));
        this.actions.splice(index, 1);
      } catch (error) {
        errors.push(`${describeAction(action)}: ${(error as Error).message}`);
      }
    }
    await this.persist();
    if (errors.length > 0) throw new Error(`could not undo: ${errors.join('; ')}`);
    return done;
  }

  /** Undoes what is recorded for one path (a moved binary, a chmod, a written file). */
  undoPath(path: string): Promise<string[]> {
    return this.undo(
      (action) =>
        (action.kind === 'move' && action.original === path) ||
        (action.kind === 'file' && action.path === path) ||
        (action.kind === 'mode' && action.path === path),
    );
  }
}

/** Performs one undo action; returns whether anything had to change. */
export async function undoAction(action: UndoAction): Promise<boolean> {
  switch (action.kind) {
    case 'move': {
      if (!(await exists(action.parked))) return false;
      // Whatever stands in the original place now (a fix may have recreated it) gives way to the original.
      if (await exists(action.original)) await unlink(action.original);
      await rename(action.parked, action.original);
      return true;
    }
    case 'mode': {
      const current = (await stat(action.path)).mode & 0o7777;
      if (current === action.mode) return false;
      await chmod(action.path, action.mode);
      return true;
    }
    case 'file': {
      if (action.content === null) {
        if (!(await exists(action.path))) return false;
        await unlink(action.path);
        return true;
      }
      const current = await readFile(action.path, 'utf8').catch(() => null);
      if (current === action.content) return false;
      await writeFile(action.path, action.content, { mode: action.mode });
      await chmod(action.path, action.mode);
      return true;
    }
    case 'sysctl': {
      const current = await readSysctl(action.path);
      // An interface that is gone has nothing left to restore.
      if (current === undefined || sameSysctl(current, action.value)) return false;
      await writeFile(action.path, `${action.value}\n`);
      return true;
    }
    case 'cont': {
      const status = await readFile(`/proc/${action.pid}/status`, 'utf8').catch(() => '');
      if (!/^State:\s+T/m.test(status)) return false;
      process.kill(action.pid, 'SIGCONT');
      return true;
    }
    case 'tree': {
      if (!(await exists(action.path))) return false;
      const mounts = (await readFile('/proc/mounts', 'utf8'))
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
        .filter((mount) => mount === action.path || mount.startsWith(`${action.path}/`))
        .sort((a, b) => b.length - a.length);
      for (const mount of mounts) await run(['umount', mount], { timeoutMs: 10_000 });
      await rm(action.path, { recursive: true, force: true });
      return true;
    }
    case 'alternative': {
      const now = await queryAlternative(action.name);
      if (action.status === 'auto') {
        if (now.status === 'auto') return false;
        await mustRun(['update-alternatives', '--auto', action.name]);
        return true;
      }
      if (now.status === action.status && now.value === action.value) return false;
      await mustRun(['update-alternatives', '--set', action.name, action.value]);
      return true;
    }
    case 'netns': {
      if (!(await exists(`/run/netns/${action.name}`))) return false;
      await mustRun(['ip', 'netns', 'delete', action.name]);
      return true;
    }
    case 'link': {
      if (!(await exists(`/sys/class/net/${action.name}`))) return false;
      await mustRun(['ip', 'link', 'delete', action.name]);
      return true;
    }
    case 'rules':
      return (await deleteRules(new RegExp(action.pattern))) > 0;
    case 'policy': {
      if ((await chainPolicy(action.chain)) === action.policy) return false;
      await mustRun(['iptables', '-w', '5', '-P', action.chain, action.policy]);
      return true;
    }
    case 'nft-table': {
      const listed = await run(['nft', 'list', 'table', action.family, action.name], { timeoutMs: 15_000 });
      if (listed.exitCode !== 0) return false;
      await mustRun(['nft', 'delete', 'table', action.family, action.name]);
      return true;
    }
    case 'process': {
      const comm = (await readFile(`/proc/${action.pid}/comm`, 'utf8').catch(() => '')).trim();
      if (comm !== action.comm) return false;
      process.kill(action.pid, 'SIGTERM');
      return true;
    }
  }
}

/** The policy of a chain of the filter table, from `iptables -S CHAIN`. */
async function chainPolicy(chain: string): Promise<string> {
  const listed = await run(['iptables', '-w', '5', '-S', chain], { timeoutMs: 15_000 });
  const policy = new RegExp(`^-P ${chain} (\\S+)$`, 'm').exec(listed.stdout)?.[1];
  if (listed.exitCode !== 0 || policy === undefined) throw new Error(`iptables -S ${chain} shows no policy`);
  return policy;
}

/** The `-A` lines of the filter and nat tables that match, each deleted with `-D`; returns how many. */
async function deleteRules(pattern: RegExp): Promise<number> {
  let deleted = 0;
  for (const table of ['filter', 'nat']) {
    const listed = await run(['iptables', '-w', '5', '-t', table, '-S'], { timeoutMs: 15_000 });
    const rules = listed.stdout.split('\n').filter((line) => line.startsWith('-A ') && pattern.test(line));
    for (const rule of rules) {
      const words = [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
      await mustRun(['iptables', '-w', '5', '-t', table, '-D', ...words.slice(1)]);
      deleted++;
    }
  }
  return deleted;
}

/** Replays the journal of a run that did not finish its restore. */
export async function recoverJournal(): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(JOURNAL, 'utf8');
  } catch {
    return [];
  }
  const journal = JSON.parse(text) as { owner: string; actions: UndoAction[] };
  const done: string[] = [];
  for (const action of [...journal.actions].reverse()) {
    if (await undoAction(action)) done.push(`${journal.owner}: ${describeAction(action)}`);
  }
  await rm(JOURNAL, { force: true });
  return done;
}

export async function readlinkOrUndefined(path: string): Promise<string | undefined> {
  return readlink(path).catch(() => undefined);
}
