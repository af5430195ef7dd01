import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandKey, type CommandResult, type FileResult, type StatResult } from '../../src/core/host.js';
import { shellLine } from '../../src/core/shell.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import type { Report } from '../../src/core/report.js';
import { bySeverity } from '../../src/pipeline/report.js';
import { validateSnapshot } from './snapshot.js';

/** Snapshots recorded on the lab host; test/fixtures/snapshots/README.md says how and in which state. */
export const SNAPSHOT_NAMES = [
  'healthy-rootful-netavark-docker',
  'healthy-rootful-cni-docker',
  'healthy-rootless',
] as const;
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
  return parseSnapshot(readFileSync(path, 'utf8'), path, validateSnapshot);
}

/** Check ids of the reports recorded before each check's id became its path (finding ids never changed). */
export const RENAMED_CHECKS: Record<string, string> = {
  'podman.aardvark': 'aardvark.binary',
  'podman.aardvark-running': 'aardvark.running',
  'container.ping-net-raw': 'ctr.ping-net-raw',
};

/**
 * Checks that recording runs ran and netdoctor does not ship: written, never proven by a lab recording of the state
 * they report, so taken out (a replay runs without them; none of them found anything in these recordings).
 */
export const UNSHIPPED_CHECKS: readonly string[] = [];

/**
 * The report the recording run printed, its check ids as they are today, its checks in today's order (by id), its
 * findings most severe first as reports list them since schema 2.
 */
export function recordedReport(name: SnapshotName): Report {
  const report = JSON.parse(readFileSync(reportPath(name), 'utf8')) as Report;
  const checks = report.checks
    .map((check) => ({ ...check, id: RENAMED_CHECKS[check.id] ?? check.id }))
    .sort((left, right) => left.id.localeCompare(right.id));
  return { ...report, checks, findings: bySeverity(checks.flatMap((check) => check.findings)) };
}

export function recordedCommand(snapshot: Snapshot, argv: readonly string[]): CommandResult {
  const found = snapshot.commands.find((entry) => commandKey(entry.argv) === commandKey(argv));
  if (found === undefined) throw new Error(`the snapshot has no \`${shellLine(argv)}\``);
  return found;
}

/** The stdout of the recorded command whose argv starts with this prefix (inspect commands end with ids). */
export function recordedStdout(snapshot: Snapshot, argvPrefix: readonly string[]): { stdout: string; command: string } {
  const found = snapshot.commands.find((entry) => argvPrefix.every((arg, index) => entry.argv[index] === arg));
  if (found === undefined) throw new Error(`the snapshot has no command starting with \`${shellLine(argvPrefix)}\``);
  return { stdout: found.stdout, command: shellLine(found.argv) };
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
