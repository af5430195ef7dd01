/**
 * How the host and the lab guest's agent talk: files in the job folder, which both see at the same path (a 9p
 * share). The host writes `<id>.request.json`, the agent answers with `<id>.result.json`; each file is written
 * under a temporary name and renamed, so that neither side reads half of one.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { RunResult } from './exec.js';

export interface GuestRequest {
  argv: string[];
  env: Record<string, string>;
  timeoutMs: number;
}

export type GuestResult = RunResult;

export const READY_FILE = 'agent.ready';
export const POWEROFF_FILE = 'agent.poweroff';
export const requestFile = (id: string) => `${id}.request.json`;
export const resultFile = (id: string) => `${id}.result.json`;

export async function writeAtomically(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.partial`, JSON.stringify(value));
  await rename(`${path}.partial`, path);
}
