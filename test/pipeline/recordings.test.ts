import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../../checks/index.js';
import { main } from '../../src/cli/main.js';
import { Facts } from '../../src/core/facts.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';
import { netnsReaderArgv, statusesArgv } from '../../src/facts/processes.js';
import type { Scope } from '../../src/core/types.js';
import { runChecks } from '../../src/pipeline/runner.js';
import { FakeHost, type FakeCommand } from '../helpers/fake-host.js';
import { replayLab } from '../helpers/lab-replay.js';
import { RENAMED_CHECKS, SNAPSHOT_NAMES, UNSHIPPED_CHECKS, recordedSnapshot } from '../helpers/recorded.js';
import {
  NOT_RECORDED,
  firewallLabState,
  kernelView,
  gen2State,
  labState,
  recordedHost,
  recordedReportOf,
  snapshotOf,
  withAnswers,
  type Recording,
} from '../helpers/recordings.js';

// Every recording here was made on the lab host in the state its name says (a lab scenario broken, after the fix
// netdoctor printed, or a healthy baseline, on the host itself or in a gen2 environment of Debian 13's engines;
// Debian 12's kernel in the lab guest) by a run limited with --only to some checks. Replayed with those checks,
// each must still find what its recording run printed.

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const PING_GROUP_RANGE = '/proc/sys/net/ipv4/ping_group_range';

function statesIn(folder: string): string[] {
  return readdirSync(`${FIXTURES}${folder}`)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.report.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

/**
 * Reads that a check started to make after these states were recorded: the replay answers them as `--replay`
 * does (not recorded). Re-recording the scenario empties its entry.
 */
const RECORDED_BEFORE: Record<string, Recording['answers']> = {
  // engine.reachable looks for dockerd's process to name a stopped one (SIGSTOP, the state this scenario makes).
  'docker-frozen.broken': {
    files: { '/var/run/docker.pid': NOT_RECORDED },
    dirs: { '/proc': NOT_RECORDED },
    // The listings start beside `docker info` when the socket is open, before it is known to hang.
    commands: [
      { argv: ['docker', 'network', 'ls', '--no-trunc', '--quiet'], error: NOT_RECORDED },
      { argv: ['docker', 'ps', '--no-trunc', '--quiet'], error: NOT_RECORDED },
    ],
  },
  // The listings start beside `podman info`, before it is known to fail.
  'podman-broken-store.broken': {
    commands: [
      { argv: ['podman', 'network', 'ls', '--format', 'json'], error: NOT_RECORDED },
      { argv: ['podman', 'ps', '--no-trunc', '--quiet'], error: NOT_RECORDED },
    ],
  },
};

/**
 * A recording made before ctr.ping-net-raw read every container in one process ran one nsenter (and, rootless, one
 * `podman unshare cat` of the status) per container: the one-process reads are answered as `--replay` answers
 * them (not recorded), and the check falls back to the per-container reads the recording holds.
 */
function beforeNamespaceReader(recording: Recording): Recording['answers'] | undefined {
  const commands = snapshotOf(recording).commands.map((command) => command.argv);
  if (commands.some((argv) => argv.includes('perl'))) return undefined;
  const pidsOf = (pattern: RegExp, scope: Scope) =>
    commands
      .filter((argv) => (argv[0] === 'podman') === (scope === 'rootless'))
      .flatMap((argv) => pattern.exec(argv.join(' '))?.[1] ?? [])
      .map(Number)
      .sort((left, right) => left - right);
  const answers: FakeCommand[] = [];
  for (const scope of ['rootful', 'rootless'] as const) {
    const read = pidsOf(/nsenter --target=(\d+) --net cat \/proc\/sys\/net\/ipv4\/ping_group_range$/, scope);
    if (read.length > 0) answers.push({ argv: netnsReaderArgv(scope, PING_GROUP_RANGE, read), error: NOT_RECORDED });
  }
  const statuses = pidsOf(/^podman unshare cat \/proc\/(\d+)\/status$/, 'rootless');
  if (statuses.length > 0) answers.push({ argv: statusesArgv('rootless', statuses), error: NOT_RECORDED });
  return answers.length > 0 ? { commands: answers } : undefined;
}

function replayable(recording: Recording): Recording {
  const missing = RECORDED_BEFORE[recording.name];
  const reader = beforeNamespaceReader(recording);
  let replayed = recording;
  if (missing !== undefined) replayed = withAnswers(replayed, 'what it was recorded before', missing);
  if (reader !== undefined) replayed = withAnswers(replayed, 'the per-container reads', reader);
  return replayed;
}

/**
 * A recording whose snapshot holds DNS lookups was made with --probe-dns (the scenario's netdoctor command): its
 * replay allows the probe too, or the checks that probe would decide otherwise than its run did.
 */
function probedDns(recording: Recording): boolean {
  return snapshotOf(recording).commands.some((command) => command.argv.includes('nslookup'));
}

const RECORDINGS: Recording[] = [
  ...statesIn('snapshots/lab').map(labState),
  ...statesIn('snapshots/gen2').map(gen2State),
  ...statesIn('rulesets/lab').map(firewallLabState),
  ...statesIn('kernel').map(kernelView),
];

/** The ids of the checks a recording run was limited to, as the checks are called today. */
function recordedChecks(report: Report): string[] {
  return report.checks
    .map((check) => RENAMED_CHECKS[check.id] ?? check.id)
    .filter((id) => !UNSHIPPED_CHECKS.includes(id));
}

const printed = (finding: Finding) => ({
  id: finding.id,
  severity: finding.severity,
  title: finding.title,
  subject: finding.subject,
  fix: finding.fix.commands,
});
const byKey = (left: ReturnType<typeof printed>, right: ReturnType<typeof printed>) =>
  JSON.stringify(left).localeCompare(JSON.stringify(right));

/** A recording of `netdoctor why A B` (its report has the pair section): replayed through why, not the host checks. */
const isWhy = (recording: Recording) => recordedReportOf(recording)?.pair !== undefined;

describe('every lab recording', () => {
  it.each(RECORDINGS.filter((recording) => !isWhy(recording)).map((recording) => [recording.name, recording] as const))(
    'replays with the checks it recorded to the findings its run printed (%s)',
    async (_, recording) => {
      const report = recordedReportOf(recording)!;
      const ids = recordedChecks(report);
      const checks = HOST_CHECKS.filter((check) => ids.includes(check.id));
      expect(checks.map((check) => check.id).sort()).toEqual([...ids].sort());
      const host = recordedHost(replayable(recording));
      const probes = probedDns(recording) ? { probes: { dns: true } } : {};
      const results = await runChecks(checks, { host, facts: new Facts(host), ...probes });
      expect(
        results.filter((result) => result.status === 'error').map((result) => `${result.id}: ${result.reason}`),
      ).toEqual([]);
      const replayed = results.flatMap((result) => result.findings).map(printed);
      expect(replayed.sort(byKey)).toEqual(report.findings.map(printed).sort(byKey));
    },
  );

  it.each(RECORDINGS.filter(isWhy).map((recording) => [recording.name, recording] as const))(
    'replays through why A B to the findings and verdict its run printed (%s)',
    async (_, recording) => {
      const recorded = recordedReportOf(recording)!;
      const { a, b } = recorded.pair!;
      const { report } = await replayLab(recording.name, ['why', a.reference, b.reference], recording.path);
      expect(report.checks.filter((check) => check.status === 'error').map((check) => check.id)).toEqual([]);
      expect(report.findings.map(printed).sort(byKey)).toEqual(recorded.findings.map(printed).sort(byKey));
      expect(report.pair?.verdict).toEqual(recorded.pair!.verdict);
    },
  );

  it('is in one of the folders above, with the report its run printed', () => {
    expect(RECORDINGS.length).toBeGreaterThan(80);
    for (const recording of RECORDINGS) expect(recordedReportOf(recording)?.findings, recording.name).toBeDefined();
  });
});

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('netdoctor --replay of every lab snapshot', () => {
  // Through the real CLI, with every check: a check the recording did not run finds what the snapshot lacks
  // "not recorded", never a crash, and the checks it did run find what they found when it was recorded.
  it.each(statesIn('snapshots/lab').filter((state) => !isWhy(labState(state))))(
    'replays to the findings the recording run printed (%s)',
    async (state) => {
      const stdout = new Capture();
      const stderr = new Capture();
      const probe = probedDns(labState(state)) ? ['--probe-dns'] : [];
      const code = await main(['--replay', `${FIXTURES}snapshots/lab/${state}.json`, '--json', ...probe], {
        stdout,
        stderr,
        env: {},
      });
      expect([0, 1], stderr.text).toContain(code);
      const recorded = JSON.parse(readFileSync(`${FIXTURES}snapshots/lab/${state}.report.json`, 'utf8')) as Report;
      const ids = new Set(
        HOST_CHECKS.filter((check) => recordedChecks(recorded).includes(check.id)).flatMap((check) =>
          Object.keys(check.findings),
        ),
      );
      const key = (report: Report) =>
        report.findings
          .filter((finding) => ids.has(finding.id))
          .map((finding) => `${finding.id} ${finding.severity}`)
          .sort();
      expect(key(JSON.parse(stdout.text) as Report)).toEqual(key(recorded));
    },
  );
});

// A replay refuses what a snapshot lacks, and a check then cannot decide: tests that replay a
// stale snapshot would quietly test nothing. When a check starts to read something new, this fails: re-record
// the snapshots as test/fixtures/snapshots/README.md says.
describe('the recorded healthy snapshots', () => {
  it.each(SNAPSHOT_NAMES)('hold everything the built-in checks ask for (%s)', async (name) => {
    const host = new FakeHost({ snapshot: recordedSnapshot(name) });
    const results = await runChecks(HOST_CHECKS, { host, facts: new Facts(host) });
    expect(results.filter((result) => result.status === 'error')).toEqual([]);
  });
});
