import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { fuzzParser, mutateParserInput, parserTargets } from './parsers.js';
import { Random, caseSeed } from './random.js';
import { mutateSnapshot, recordedSnapshots, replayMutant } from './snapshots.js';

/** The checkout: the folder of package.json, above test/fuzz (from source) or dist/test/fuzz (built). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schema/report.schema.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('the netdoctor checkout was not found above test/fuzz');
}

export interface FuzzOptions {
  seed: number;
  snapshotCases: number;
  parserCases: number;
  /** Where failing mutants are written. */
  failuresDir: string;
  /** Render each report for a terminal too (cli-table3 is slow on long texts of control characters). */
  human: boolean;
  /** Called every so many cases, for progress. */
  progress?: (text: string) => void;
}

export interface FuzzFailure {
  kind: 'snapshot' | 'parser';
  index: number;
  problem: string;
  /** The mutant, saved to replay by hand (`netdoctor --replay FILE`) or to feed to the parser. */
  saved: string;
  what: string;
}

export interface FuzzSummary {
  seed: number;
  snapshots: {
    cases: number;
    reports: number;
    refused: number;
    seconds: number;
    maxReportBytes: number;
    exitCodes: Record<string, number>;
  };
  parsers: { cases: number; parsed: number; rejected: number; seconds: number; targets: number };
  failures: FuzzFailure[];
}

function reportValidator(repo: string): (report: unknown) => string {
  const schema = JSON.parse(readFileSync(join(repo, 'schema/report.schema.json'), 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true });
  const validate = ajv.compile(schema);
  return (report) => (validate(report) ? '' : ajv.errorsText(validate.errors, { separator: '\n' }));
}

/**
 * Mutates the recorded snapshots and replays them (never touching the host), and mutates recorded parser inputs and
 * parses them: a fixed seed gives the same cases anywhere, and a failure's mutant is saved to a file.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const repo = repoRoot();
  const recorded = recordedSnapshots(repo);
  const reportProblems = reportValidator(repo);
  const failures: FuzzFailure[] = [];
  const save = (name: string, text: string) => {
    mkdirSync(options.failuresDir, { recursive: true });
    const path = join(options.failuresDir, name);
    writeFileSync(path, text);
    return path;
  };
  const summary: FuzzSummary = {
    seed: options.seed,
    snapshots: { cases: 0, reports: 0, refused: 0, seconds: 0, maxReportBytes: 0, exitCodes: {} },
    parsers: { cases: 0, parsed: 0, rejected: 0, seconds: 0, targets: 0 },
    failures,
  };

  const work = mkdtempSync(join(tmpdir(), 'netdoctor-fuzz-'));
  const started = performance.now();
  try {
    for (let index = 0; index < options.snapshotCases; index++) {
      const random = new Random(caseSeed(options.seed, index));
      const mutant = mutateSnapshot(random, recorded);
      const outcome = await replayMutant(join(work, 'mutant.json'), mutant.text, reportProblems, options.human);
      summary.snapshots.cases += 1;
      if (outcome.kind === 'report') {
        summary.snapshots.reports += 1;
        summary.snapshots.maxReportBytes = Math.max(summary.snapshots.maxReportBytes, outcome.bytes);
        summary.snapshots.exitCodes[outcome.code] = (summary.snapshots.exitCodes[outcome.code] ?? 0) + 1;
      } else if (outcome.kind === 'refused') {
        summary.snapshots.refused += 1;
      } else {
        const what = `case ${index} of seed ${options.seed}: ${mutant.source} with ${mutant.mutations.join(', ')}`;
        failures.push({
          kind: 'snapshot',
          index,
          what,
          problem: outcome.problem,
          saved: save(`snapshot-${options.seed}-${index}.json`, mutant.text),
        });
      }
      if ((index + 1) % 500 === 0) options.progress?.(`${index + 1} snapshots, ${failures.length} failures`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  summary.snapshots.seconds = (performance.now() - started) / 1000;

  const snapshots = recorded.map((entry) => JSON.parse(entry.text) as Snapshot);
  const targets = parserTargets(repo, snapshots);
  const donors = targets.flatMap((target) => target.inputs.slice(0, 3));
  summary.parsers.targets = targets.length;
  const parsing = performance.now();
  for (let index = 0; index < options.parserCases; index++) {
    const random = new Random(caseSeed(options.seed ^ 0x5bd1e995, index));
    const target = random.pick(targets);
    const input = mutateParserInput(random, target, donors);
    const outcome = fuzzParser(target, input);
    summary.parsers.cases += 1;
    if (outcome.kind === 'parsed') summary.parsers.parsed += 1;
    else if (outcome.kind === 'rejected') summary.parsers.rejected += 1;
    else
      failures.push({
        kind: 'parser',
        index,
        what: `case ${index} of seed ${options.seed}: ${target.name}`,
        problem: outcome.problem,
        saved: save(`parser-${options.seed}-${index}-${target.name.replace(/[^a-z0-9]+/gi, '-')}.txt`, input),
      });
    if ((index + 1) % 2000 === 0) options.progress?.(`${index + 1} parser inputs, ${failures.length} failures`);
  }
  summary.parsers.seconds = (performance.now() - parsing) / 1000;
  return summary;
}
