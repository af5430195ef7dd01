import { readFile, writeFile } from 'node:fs/promises';
import ora, { type Ora } from 'ora';
import type { Host } from './host/host.js';
import { LiveHost } from './host/live.js';
import { ReplayHost } from './host/replay.js';
import type { SessionHost } from './host/session.js';
import { SnapshotError, parseSnapshot } from './host/snapshot.js';
import { TOOL } from './report.js';

/** A mistake in how netdoctor was called: the CLI prints its message and exits 64. */
export class UsageError extends Error {}

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The live host, or the snapshot to replay; an unreadable or invalid snapshot is a usage error. */
export async function openHost(replay: string | undefined, commandTimeoutMs: number): Promise<Host> {
  if (replay === undefined) return new LiveHost({ commandTimeoutMs });
  let text: string;
  try {
    text = await readFile(replay, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the replay file: ${(error as Error).message}`);
  }
  try {
    return new ReplayHost(parseSnapshot(text, replay));
  } catch (error) {
    if (error instanceof SnapshotError) throw new UsageError(error.message);
    throw error;
  }
}

/** A spinner on stderr while the human report is being made, only on a terminal and never under CI. */
export function startSpinner(io: OutputStreams, human: boolean, text: string): Ora | undefined {
  return human && io.stderr.isTTY === true && !io.env.CI ? ora({ text, stream: io.stderr }).start() : undefined;
}

export function useColor(option: 'auto' | 'always' | 'never' | undefined, io: OutputStreams): boolean {
  if (option === 'never' || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')) return false;
  if (option === 'always') return true;
  return io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}

export async function writeSnapshot(host: SessionHost, file: string, startedAt: Date, io: OutputStreams): Promise<void> {
  const snapshot = await host.snapshot(TOOL, startedAt);
  await writeFile(file, `${JSON.stringify(snapshot, null, 1)}\n`);
  io.stderr.write(`netdoctor: recorded ${snapshot.commands.length} commands, ${snapshot.files.length} files, ${snapshot.dirs.length} folders and ${snapshot.stats.length} stats to ${file}\n`);
}
