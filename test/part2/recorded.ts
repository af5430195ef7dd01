import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Facts } from '../../src/core/facts.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import { runChecks } from '../../src/pipeline/runner.js';
import type { CheckResult } from '../../src/core/types.js';
import type { Check } from '../../src/core/check.js';
import { FakeHost, type FakeHostSetup } from '../helpers/fake-host.js';

/** A file under test/fixtures/part2, recorded on the lab host (test/fixtures/part2/README.md says how). */
export function part2Fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');
}

export function part2Snapshot(name: string): Snapshot {
  return parseSnapshot(part2Fixture(`${name}.json`), name);
}

/** Runs one check on a recorded snapshot, with whatever the test replaces or adds on top of it. */
export async function runOn(
  check: Check,
  snapshot: string,
  overrides: Omit<FakeHostSetup, 'snapshot'> = {},
): Promise<CheckResult> {
  const host = new FakeHost({ ...overrides, snapshot: part2Snapshot(snapshot) });
  const [result] = await runChecks([check], { host, facts: new Facts(host) });
  if (result === undefined) throw new Error('runChecks returned nothing');
  return result;
}

export function findingIds(result: CheckResult): string[] {
  return result.findings.map((item) => `${item.id}:${item.severity}`);
}
