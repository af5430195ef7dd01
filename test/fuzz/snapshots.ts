import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/report.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { renderHuman } from '../../src/render/human.js';
import { hugeText, mutateJson, mutateOutput, mutateText, HOSTILE_TEXTS } from './mutate.js';
import type { Random } from './random.js';

/** Larger than this, a report is a failure: recorded reports are about 20 kB, the bounds keep texts to kilobytes. */
export const REPORT_SIZE_LIMIT = 300 * 1024;

/** Every recorded snapshot under test/fixtures, by path. */
export function recordedSnapshots(repo: string): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path, depth + 1);
      else if (entry.endsWith('.json') && !entry.endsWith('.report.json')) {
        const text = readFileSync(path, 'utf8');
        if (text.includes('"netdoctor-snapshot"')) found.push({ path, text });
      }
    }
  };
  walk(join(repo, 'test/fixtures'), 0);
  return found;
}

type Mutation = (random: Random, snapshot: Snapshot, donors: readonly string[]) => string;

const ERROR_CODES = ['ENOENT', 'EACCES', 'EPERM', 'EIO', 'ETIMEDOUT', 'EOUTPUTCAP', 'ENOTDIR', 'EFBIG'];

function pickIndex<T>(random: Random, items: T[]): number | undefined {
  return items.length === 0 ? undefined : random.int(items.length);
}

/** Mutations that keep the snapshot valid: they reach the parsers, the facts and the checks. */
const CONTENT_MUTATIONS: [number, Mutation][] = [
  [
    10,
    (random, snapshot, donors) => {
      const index = pickIndex(random, snapshot.commands);
      if (index === undefined) return 'no command';
      const command = snapshot.commands[index]!;
      if (random.chance(0.8)) command.stdout = mutateOutput(random, command.stdout, donors);
      else command.stderr = mutateText(random, command.stderr, donors);
      return `stdout/stderr of \`${command.argv.join(' ')}\``;
    },
  ],
  [
    6,
    (random, snapshot, donors) => {
      const files = snapshot.files.filter((file) => file.ok);
      const file = files.length > 0 ? random.pick(files) : undefined;
      if (file === undefined || !file.ok) return 'no file';
      file.content = mutateOutput(random, file.content, donors);
      return `content of ${file.path}`;
    },
  ],
  [
    2,
    (random, snapshot) => {
      const index = pickIndex(random, snapshot.commands);
      if (index === undefined) return 'no command';
      const command = snapshot.commands[index]!;
      const change = random.int(4);
      if (change === 0) command.exitCode = random.pick([0, 1, 2, 125, 127, 255]);
      else if (change === 1)
        Object.assign(command, {
          exitCode: null,
          timedOut: true,
          timeoutMs: 8000,
          error: { code: 'ETIMEDOUT', message: 'timed out after 8 s' },
        });
      else if (change === 2)
        Object.assign(command, {
          exitCode: null,
          error: { code: random.pick(ERROR_CODES), message: random.pick(HOSTILE_TEXTS) },
        });
      else Object.assign(command, { exitCode: 0, timedOut: false, error: undefined });
      if (command.error === undefined) delete command.error;
      return `exit of \`${command.argv.join(' ')}\``;
    },
  ],
  [
    2,
    (random, snapshot) => {
      const lists = [snapshot.files, snapshot.dirs, snapshot.stats] as { path: string; ok: boolean }[][];
      const list = random.pick(lists.filter((candidate) => candidate.length > 0));
      const entry = random.pick(list) as Record<string, unknown>;
      for (const key of ['content', 'entries', 'stat']) delete entry[key];
      entry.ok = false;
      entry.error = { code: random.pick(ERROR_CODES), message: random.pick(HOSTILE_TEXTS) };
      return `read of ${String(entry.path)} fails`;
    },
  ],
  [
    2,
    (random, snapshot) => {
      const stats = snapshot.stats.filter((entry) => entry.ok);
      const entry = stats.length > 0 ? random.pick(stats) : undefined;
      if (entry === undefined || !entry.ok) return 'no stat';
      const change = random.int(3);
      if (change === 0)
        entry.stat.type = random.pick(['file', 'directory', 'symlink', 'char', 'socket', 'other'] as const);
      else if (change === 1) entry.stat.mode = random.int(0o7777 + 1);
      else entry.stat.uid = random.pick([0, 1000, 65534, 4294967295]);
      return `stat of ${entry.path}`;
    },
  ],
  [
    1,
    (random, snapshot) => {
      const dirs = snapshot.dirs.filter((entry) => entry.ok);
      const entry = dirs.length > 0 ? random.pick(dirs) : undefined;
      if (entry === undefined || !entry.ok) return 'no folder';
      entry.entries = random.chance(0.5)
        ? entry.entries.filter(() => random.chance(0.5))
        : [...entry.entries, ...Array.from({ length: 1 + random.int(5) }, () => random.pick(HOSTILE_TEXTS))];
      return `entries of ${entry.path}`;
    },
  ],
  [
    3,
    (random, snapshot) => {
      // Something the run read is missing: a replay must say "not recorded", never read it as empty.
      const lists = [snapshot.commands, snapshot.files, snapshot.dirs, snapshot.stats] as unknown[][];
      const list = random.pick(lists.filter((candidate) => candidate.length > 0));
      const dropped = list.splice(random.int(list.length), 1 + (random.chance(0.2) ? random.int(list.length) : 0));
      return `${dropped.length} entries dropped`;
    },
  ],
  [
    2,
    (random, snapshot) => {
      const context = snapshot.context;
      const change = random.int(5);
      if (change === 0) context.uid = context.uid === 0 ? 1000 : 0;
      else if (change === 1) context.user = random.pick(HOSTILE_TEXTS);
      else if (change === 2) context.hostname = random.pick(HOSTILE_TEXTS);
      else if (change === 3)
        context.env.PATH = random.pick([
          '',
          ':',
          '/nonexistent',
          'relative/bin',
          `/usr/bin:${random.pick(HOSTILE_TEXTS)}`,
        ]);
      else
        context.env.DOCKER_HOST = random.pick([
          'tcp://127.0.0.1:2375',
          'unix:///nonexistent.sock',
          random.pick(HOSTILE_TEXTS),
        ]);
      return 'context';
    },
  ],
  [
    1,
    (random, snapshot) => {
      // A command or a file of megabytes, as a runaway tool prints.
      const size = 1_000_000 + random.int(4_000_000);
      const outputs = snapshot.commands.filter((command) => command.stdout.length > 0);
      if (outputs.length > 0 && random.chance(0.7)) {
        const command = random.pick(outputs);
        command.stdout = hugeText(random, size, command.stdout);
        return `${size} characters of \`${command.argv.join(' ')}\``;
      }
      const files = snapshot.files.filter((file) => file.ok);
      const file = files.length > 0 ? random.pick(files) : undefined;
      if (file === undefined || !file.ok) return 'no file';
      file.content = hugeText(random, size, file.content);
      return `${size} characters of ${file.path}`;
    },
  ],
];

export interface SnapshotMutant {
  source: string;
  mutations: string[];
  text: string;
}

function isSnapshotShaped(value: unknown): value is Snapshot {
  const snapshot = value as Snapshot;
  return (
    typeof value === 'object' &&
    value !== null &&
    [snapshot.commands, snapshot.files, snapshot.dirs, snapshot.stats].every(Array.isArray) &&
    typeof snapshot.context === 'object' &&
    snapshot.context !== null
  );
}

export function mutateSnapshot(random: Random, recorded: { path: string; text: string }[]): SnapshotMutant {
  const source = random.pick(recorded);
  let snapshot: unknown = JSON.parse(source.text);
  const donors = (snapshot as Snapshot).commands.map((command) => command.stdout).filter((out) => out.length > 0);
  const mutations: string[] = [];
  for (let count = 1 + random.int(3); count > 0 && isSnapshotShaped(snapshot); count--) {
    if (random.chance(0.12)) {
      // A change anywhere in the file's JSON: mostly a snapshot no longer, which must be refused as a usage error.
      snapshot = mutateJson(random, snapshot as never);
      mutations.push('structure');
      // The content mutations need a snapshot's shape: stop here.
      break;
    } else {
      mutations.push(random.weighted(CONTENT_MUTATIONS)(random, snapshot, donors));
    }
  }
  return { source: source.path, mutations, text: JSON.stringify(snapshot) };
}

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export type SnapshotOutcome =
  | { kind: 'report'; code: number; bytes: number }
  | { kind: 'refused'; message: string }
  | { kind: 'failure'; problem: string };

const REFUSALS = /is not a valid snapshot|is not JSON|is not a netdoctor snapshot|is a snapshot of version/;

/**
 * Replays a mutant as `netdoctor --replay FILE --json` does, in this process, and (`human`) renders its report for
 * a terminal too. A failure: a crash, a check that errored, a report the schema refuses or over the size limit.
 */
export async function replayMutant(
  file: string,
  text: string,
  reportProblems: (report: unknown) => string,
  human: boolean,
): Promise<SnapshotOutcome> {
  writeFileSync(file, text);
  const stdout = new Capture();
  const stderr = new Capture();
  let code: number;
  try {
    code = await main(['--replay', file, '--json'], { stdout, stderr, env: {} });
  } catch (error) {
    return { kind: 'failure', problem: `main threw: ${error instanceof Error ? error.stack : String(error)}` };
  }
  if (code === 64) {
    if (REFUSALS.test(stderr.text) && stdout.text === '') return { kind: 'refused', message: stderr.text.trim() };
    return { kind: 'failure', problem: `exit 64 without a snapshot problem: ${stderr.text.slice(0, 2000)}` };
  }
  if (![0, 1, 2].includes(code)) return { kind: 'failure', problem: `exit ${code}: ${stderr.text.slice(0, 2000)}` };
  if (stderr.text.includes('internal error')) return { kind: 'failure', problem: stderr.text.slice(0, 2000) };
  let report: Report;
  try {
    report = JSON.parse(stdout.text) as Report;
  } catch (error) {
    return {
      kind: 'failure',
      problem: `stdout is not JSON (${(error as Error).message}), stderr: ${stderr.text.slice(0, 2000)}`,
    };
  }
  const invalid = reportProblems(report);
  if (invalid !== '') return { kind: 'failure', problem: `the report fails its schema: ${invalid.slice(0, 2000)}` };
  const bytes = Buffer.byteLength(stdout.text);
  if (bytes > REPORT_SIZE_LIMIT) return { kind: 'failure', problem: `the report has ${bytes} bytes` };
  const errored = report.checks.filter((check) => check.status === 'error');
  if (errored.length > 0)
    return {
      kind: 'failure',
      problem: `checks errored: ${errored.map((check) => `${check.id}: ${check.reason ?? ''}`.slice(0, 500)).join('; ')}`,
    };
  if (!human) return { kind: 'report', code, bytes };
  try {
    renderHuman(report, { color: true, width: 100, verbose: true });
  } catch (error) {
    return {
      kind: 'failure',
      problem: `the human report crashed: ${error instanceof Error ? error.stack : String(error)}`,
    };
  }
  return { kind: 'report', code, bytes };
}
