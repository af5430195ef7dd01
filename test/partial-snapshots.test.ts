import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../checks/index.js';
import { Facts } from '../src/core/facts.js';
import type { CheckResult } from '../src/core/types.js';
import { RecordingHost } from '../src/host/recording.js';
import { ReplayHost } from '../src/host/replay.js';
import { TOOL } from '../src/core/tool.js';
import { buildReport } from '../src/pipeline/report.js';
import { runChecks } from '../src/pipeline/runner.js';
import { recordedSnapshot, type SnapshotName } from './helpers/recorded.js';

// `netdoctor --only X --record FILE` records what X read; `--replay FILE` then runs every check. Those that need
// what was not recorded must say so, never read it as empty: no rules (an engine's rules "gone"), no users, no binary.

async function replayAll(host: ReplayHost): Promise<CheckResult[]> {
  return runChecks(HOST_CHECKS, { host, facts: new Facts(host) });
}

/** The snapshot `netdoctor --only <check> --record` writes, made from a full recording of the same host. */
async function recordedWithOnly(name: SnapshotName, checkId: string): Promise<ReplayHost> {
  const session = new RecordingHost(new ReplayHost(recordedSnapshot(name)));
  const facts = new Facts(session);
  const checks = await runChecks(
    HOST_CHECKS.filter((check) => check.id === checkId),
    { host: session, facts },
  );
  await buildReport(facts, checks, new Date(), 0);
  return new ReplayHost(await session.snapshot(TOOL, new Date()));
}

const comparable = (result: CheckResult) => ({ ...result, durationMs: 0 });

describe.each<SnapshotName>(['healthy-rootful-netavark-docker', 'healthy-rootless'])(
  'a snapshot recorded with --only, replayed whole (%s)',
  (name) => {
    it.each(HOST_CHECKS.map((check) => check.id))(
      'gives each check its full result or "not recorded", nothing else (--only %s)',
      async (only) => {
        const full = await replayAll(new ReplayHost(recordedSnapshot(name)));
        const partial = await replayAll(await recordedWithOnly(name, only));
        for (const [index, result] of partial.entries()) {
          const expected = full[index]!;
          if (
            result.status === 'skip' &&
            result.skip === 'cannot_decide' &&
            /was not recorded in the snapshot$/.test(result.reason ?? '')
          )
            continue;
          expect(comparable(result)).toEqual(comparable(expected));
        }
        expect(comparable(partial.find((result) => result.id === only)!)).toEqual(
          comparable(full.find((result) => result.id === only)!),
        );
      },
    );
  },
);
