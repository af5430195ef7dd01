import type { CommandResult, DirResult, FileResult, HostContext, StatResult } from '../core/host.js';

/** Everything one run read from a host: enough to diagnose that host again anywhere. */
export interface Snapshot {
  kind: 'netdoctor-snapshot';
  version: 1;
  tool: { name: string; version: string };
  recordedAt: string;
  context: HostContext;
  commands: CommandResult[];
  files: FileResult[];
  dirs: DirResult[];
  stats: StatResult[];
}

export class SnapshotError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the shape of a snapshot read from a file; the message says what is wrong with it. */
export function parseSnapshot(text: string, source: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(data) || data.kind !== 'netdoctor-snapshot') {
    throw new SnapshotError(`${source} is not a netdoctor snapshot (write one with: netdoctor --record FILE)`);
  }
  if (data.version !== 1) {
    throw new SnapshotError(
      `${source} is a snapshot of version ${String(data.version)}; this netdoctor reads version 1`,
    );
  }
  const context = data.context;
  if (!isObject(context) || typeof context.uid !== 'number' || !isObject(context.env)) {
    throw new SnapshotError(`${source}: the snapshot has no valid "context"`);
  }
  for (const key of ['commands', 'files', 'dirs', 'stats'] as const) {
    const list = data[key];
    if (!Array.isArray(list) || !list.every(isObject)) {
      throw new SnapshotError(`${source}: "${key}" must be an array of objects`);
    }
  }
  const commands = data.commands as unknown[];
  if (!commands.every((entry) => isObject(entry) && Array.isArray(entry.argv) && typeof entry.stdout === 'string')) {
    throw new SnapshotError(`${source}: every entry of "commands" needs "argv" and "stdout"`);
  }
  const paths = [...(data.files as unknown[]), ...(data.dirs as unknown[]), ...(data.stats as unknown[])];
  if (!paths.every((entry) => isObject(entry) && typeof entry.path === 'string' && typeof entry.ok === 'boolean')) {
    throw new SnapshotError(`${source}: every file, folder and stat entry needs "path" and "ok"`);
  }
  return data as unknown as Snapshot;
}
