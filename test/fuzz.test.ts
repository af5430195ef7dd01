import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/host/snapshot.js';
import { fuzz, repoRoot } from './fuzz/fuzz.js';
import { fuzzParser, parserTargets } from './fuzz/parsers.js';
import { recordedSnapshots } from './fuzz/snapshots.js';

// A fixed seed, so that every run of npm test tries the same cases; `npm run fuzz -- --cases N --seed S` tries others.
const SEED = 20261206;

describe('npm run fuzz, a fixed slice of it', () => {
  it('replays mutated snapshots and parses mutated host output without a crash, an invalid or an oversized report', async () => {
    const summary = await fuzz({
      seed: SEED,
      snapshotCases: 150,
      parserCases: 600,
      failuresDir: join(repoRoot(), 'fuzz-failures'),
      human: false,
    });
    const failures = summary.failures.map(
      (failure) => `${failure.what}: ${failure.problem}\n  mutant: ${failure.saved}`,
    );
    expect(failures).toEqual([]);
    // The cases reach the checks and the parsers' error paths, not only the schema's refusal.
    expect(summary.snapshots.reports).toBeGreaterThan(100);
    expect(summary.snapshots.refused).toBeGreaterThan(0);
    expect(summary.parsers.parsed).toBeGreaterThan(100);
    expect(summary.parsers.rejected).toBeGreaterThan(0);
  }, 120_000);
});

describe('the parsers of host output, on arbitrary input', () => {
  const repo = repoRoot();
  const targets = parserTargets(
    repo,
    recordedSnapshots(repo).map((entry) => JSON.parse(entry.text) as Snapshot),
  );

  it('cover iptables-save, nft, the engines, ip, ss and /proc', () => {
    expect(targets.map((target) => target.name)).toEqual(
      expect.arrayContaining([
        'iptables-save',
        'nft -j list ruleset',
        'podman info',
        'docker container inspect',
        'ip -j -d link',
        'ss -Hlnup',
        '/proc/net/udp',
        '/proc/PID/status',
      ]),
    );
  });

  it.each(targets.map((target) => [target.name, target] as const))(
    'return, or throw what their fact catches, for any text (%s)',
    (_name, target) => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.json({ maxDepth: 4 })), (input) => {
          expect(fuzzParser(target, input)).not.toMatchObject({ kind: 'failure' });
        }),
        { numRuns: 60, seed: SEED },
      );
    },
    30_000,
  );
});
