import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../checks/index.js';
import { Facts } from '../src/core/facts.js';
import { runChecks } from '../src/pipeline/runner.js';
import { FakeHost } from './helpers/fake-host.js';
import { SNAPSHOT_NAMES, recordedSnapshot } from './helpers/recorded.js';

// A replay answers ENOTRECORDED for what a snapshot lacks, and a check then cannot decide: tests that replay a
// stale snapshot would quietly test nothing. When a check starts to read something new, this fails: re-record
// the snapshots as test/fixtures/snapshots/README.md says.
describe('the recorded snapshots', () => {
  it.each(SNAPSHOT_NAMES)('hold everything the built-in checks ask for (%s)', async (name) => {
    const host = new FakeHost({ snapshot: recordedSnapshot(name) });
    const results = await runChecks(HOST_CHECKS, { host, facts: new Facts(host) });
    expect(results.filter((result) => result.status === 'error')).toEqual([]);
  });
});
