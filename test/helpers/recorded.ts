import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandKey, commandLine, type CommandResult, type FileResult, type StatResult } from '../../src/host/host.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import type { Report } from '../../src/types.js';

/** Snapshots recorded on the lab host; test/fixtures/snapshots/README.md says how and in which state. */
export const SNAPSHOT_NAMES = ['healthy-rootful-netavark-docker', 'healthy-rootful-cni-docker', 'healthy-rootless'] as const;
export type SnapshotName = (typeof SNAPSHOT_NAMES)[number];

export function snapshotPath(name: SnapshotName): string {
  return fileURLToPath(new URL(`../fixtures/snapshots/${name}.json`, import.meta.url));
}

/** The `--json` report printed by the run that recorded the snapshot. */
export function reportPath(name: SnapshotName): string {
  return fileURLToPath(new URL(`../fixtures/snapshots/${name}.report.json`, import.meta.url));
}

export function recordedSnapshot(name: SnapshotName): Snapshot {
  const path = snapshotPath(name);
  return parseSnapshot(readFileSync(path, 'utf8'), path);
}

export function recordedReport(name: SnapshotName): Report {
  return JSON.parse(readFileSync(reportPath(name), 'utf8')) as Report;
}

export function recordedCommand(snapshot: Snapshot, argv: readonly string[]): CommandResult {
  const found = snapshot.commands.find((entry) => commandKey(entry.argv) === commandKey(argv));
  if (found === undefined) throw new Error(`the snapshot has no \`${commandLine(argv)}\``);
  return found;
}

/** The stdout of the recorded command whose argv starts with this prefix (inspect commands end with ids). */
export function recordedStdout(snapshot: Snapshot, argvPrefix: readonly string[]): { stdout: string; command: string } {
  const found = snapshot.commands.find((entry) => argvPrefix.every((arg, index) => entry.argv[index] === arg));
  if (found === undefined) throw new Error(`the snapshot has no command starting with \`${commandLine(argvPrefix)}\``);
  return { stdout: found.stdout, command: commandLine(found.argv) };
}

export function recordedFile(snapshot: Snapshot, path: string): Extract<FileResult, { ok: true }> {
  const found = snapshot.files.find((entry) => entry.path === path);
  if (found === undefined || !found.ok) throw new Error(`the snapshot has no readable ${path}`);
  return found;
}

export function recordedStat(snapshot: Snapshot, path: string): Extract<StatResult, { ok: true }> {
  const found = snapshot.stats.find((entry) => entry.path === path);
  if (found === undefined || !found.ok) throw new Error(`the snapshot has no successful stat of ${path}`);
  return found;
}
