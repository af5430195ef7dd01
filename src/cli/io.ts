import { writeFile } from 'node:fs/promises';
import type { Ora } from 'ora';
import type { Snapshot } from '../host/snapshot.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * A spinner on stderr while the human report is being made, only on a terminal and never under CI; ora loads only
 * then.
 */
export async function startSpinner(io: Io, human: boolean, text: string): Promise<Ora | undefined> {
  if (!human || io.stderr.isTTY !== true || io.env.CI) return undefined;
  const { default: ora } = await import('ora');
  return ora({ text, stream: io.stderr }).start();
}

export function useColor(option: 'auto' | 'always' | 'never' | undefined, io: Io): boolean {
  if (option === 'never' || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')) return false;
  if (option === 'always') return true;
  return io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}

export async function writeSnapshot(snapshot: Snapshot, file: string, io: Io): Promise<void> {
  await writeFile(file, `${JSON.stringify(snapshot, null, 1)}\n`);
  io.stderr.write(
    `netdoctor: recorded ${snapshot.commands.length} commands, ${snapshot.files.length} files, ${snapshot.dirs.length} folders and ${snapshot.stats.length} stats to ${file}\n`,
  );
}
