import { availableParallelism, loadavg } from 'node:os';
import { WHY_COMMAND_TIMEOUT_MS } from '../../../src/cli/why.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../../../src/core/host.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../../../src/pipeline/runner.js';

/** A busy host stretches the lab's time limits by at most this factor. */
const MAX_LOAD_SCALE = 3;

/**
 * How much the lab stretches a time limit on this host now: the load average per CPU, between 1 and
 * MAX_LOAD_SCALE. A host with CPU to spare gets the limits as written; where other work keeps every CPU busy,
 * scenarios and netdoctor's own command limits get proportionally longer, instead of the slow ones failing one
 * after the other.
 */
export function loadScale(load = loadavg()[0] ?? 0, cpus = availableParallelism()): number {
  return Math.min(MAX_LOAD_SCALE, Math.max(1, load / Math.max(1, cpus)));
}

/**
 * The options that stretch netdoctor's own time limits (each check's, each command's) by `scale` for a run of
 * `command` (none: the host diagnosis; `why A B`). None on a quiet host, and none where the command sets its own
 * (the emulated guest's).
 */
export function stretchedNetdoctorLimits(command: readonly string[], scale: number): string[] {
  if (scale <= 1 || command.includes('--timeout') || command.includes('--command-timeout')) return [];
  const seconds = (ms: number) => String(Math.ceil((ms * scale) / 100) / 10);
  if (command[0] === 'why') return ['--command-timeout', seconds(WHY_COMMAND_TIMEOUT_MS)];
  return ['--timeout', seconds(DEFAULT_CHECK_TIMEOUT_MS), '--command-timeout', seconds(DEFAULT_COMMAND_TIMEOUT_MS)];
}
