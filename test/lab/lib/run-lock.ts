/**
 * One lab run at a time on a host: the lab changes global host state (sysctls, binaries, dockerd), so two runs
 * would undo each other's breakages and restores. The lock is the file the project's convention wraps every
 * lab command in (`flock -w 3600 /run/netdoctor-lab-run.lock ...`), so a run started with that wrapper, one
 * started without it (CI's `.ci/run`) and setup/teardown under the wrapper all exclude each other.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';

export const LAB_RUN_LOCK = '/run/netdoctor-lab-run.lock';
/** As long as the convention's wrapper waits: a whole lab run on a busy host fits in it. */
export const LAB_RUN_LOCK_WAIT_S = 3600;
/** Ancestors looked at: more than any real process tree here (flock, bash, npm, sh, node). */
const MAX_ANCESTORS = 64;

export type LockOutcome = { held: 'taken' | 'by-caller'; detail: string } | { held: 'no'; detail: string };

function sameFile(path: string, dev: number, ino: number): boolean {
  try {
    const info = statSync(path);
    return info.dev === dev && info.ino === ino;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: the fields after the last ")" are plain.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

function commandOf(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.filter((arg) => arg !== '').join(' ') || '?';
  } catch {
    return '?';
  }
}

/** This process's ancestors, nearest first. */
function ancestors(): number[] {
  const chain: number[] = [];
  let pid: number | undefined = process.ppid;
  while (pid !== undefined && pid > 1 && chain.length < MAX_ANCESTORS) {
    chain.push(pid);
    try {
      pid = parentOf(pid);
    } catch {
      break;
    }
  }
  return chain;
}

/** The descriptors of a process that are open on the lock file. */
function openOn(pid: number | 'self', dev: number, ino: number): number[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  return fds.map(Number).filter((fd) => sameFile(`/proc/${pid}/fd/${fd}`, dev, ino));
}

/** Who holds a flock on the file now, as /proc/locks names it (the process that took it; it may have exited since). */
function holders(ino: number): number[] {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(/\s+/))
    .filter((fields) => fields[1] === 'FLOCK' && fields[5]?.split(':')[2] === String(ino))
    .map((fields) => Number(fields[4]))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * `flock` (util-linux) on our descriptor: the child shares its open file description, so the lock stays ours
 * after it exits. A run interrupted while it waits ends the waiting child too, and exits as the signal would have.
 */
function flock(fd: number, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('flock', ['-x', ...args, '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    const interrupted = (signal: NodeJS.Signals) => {
      child.kill('SIGKILL');
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const done = (code: number | null) => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      resolve(code);
    };
    child.on('error', () => done(null));
    child.on('exit', (code) => done(code));
  });
}

/**
 * Takes the lab-run lock for the rest of this process (the descriptor is never closed; the kernel releases the
 * lock when the process ends, whatever way it ends). When an ancestor holds it already (the convention's
 * `flock ... node run.js`), this run is that ancestor's: it goes on, and closes the copy of the ancestor's
 * descriptor it inherited, so that no daemon the lab starts (dockerd, aardvark-dns) keeps the lock after the run.
 * Otherwise it waits at most `waitSeconds` for another run to end, saying for whom it waits. `path` is for tests.
 */
export async function takeLabRunLock(
  say: (line: string) => void,
  { path = LAB_RUN_LOCK, waitSeconds = LAB_RUN_LOCK_WAIT_S } = {},
): Promise<LockOutcome> {
  const fd = openSync(path, 'a', 0o644);
  const { dev, ino } = fstatSync(fd);
  const inherited = openOn('self', dev, ino).filter((other) => other !== fd);
  const first = await flock(fd, ['-n']);
  if (first === null) return { held: 'no', detail: `could not run flock (util-linux) to take ${path}` };
  if (first === 0) {
    // Inherited descriptors hold no lock (ours would have been refused): nothing the lab starts needs them.
    for (const copy of inherited) closeSync(copy);
    return { held: 'taken', detail: `${path} taken` };
  }
  const caller = ancestors().find((pid) => openOn(pid, dev, ino).length > 0 || holders(ino).includes(pid));
  if (caller !== undefined) {
    // The ancestor keeps its own descriptor, and with it the lock.
    for (const copy of inherited) closeSync(copy);
    return { held: 'by-caller', detail: `${path} held by the caller (pid ${caller}: ${commandOf(caller)})` };
  }
  // A shell that took the lock and exec'ed into this process: the inherited descriptor is what holds it.
  if (inherited.length > 0) {
    return { held: 'by-caller', detail: `${path} held through an inherited descriptor (${inherited.join(', ')})` };
  }
  const other = holders(ino).map((pid) => `pid ${pid}: ${commandOf(pid)}`);
  const holder = other.length > 0 ? ` (${other.join('; ')})` : '';
  const minutes = Math.round(waitSeconds / 60);
  say(`lab: another lab run holds ${path}${holder}: waiting for it, at most ${minutes} min`);
  const waited = performance.now();
  if ((await flock(fd, ['-w', String(waitSeconds)])) === 0) {
    return {
      held: 'taken',
      detail: `${path} taken after waiting ${((performance.now() - waited) / 1000).toFixed(0)} s`,
    };
  }
  const why = "two lab runs would undo each other's host changes, so this one does not start";
  return { held: 'no', detail: `${path} is still held after ${minutes} min${holder}: ${why}` };
}
