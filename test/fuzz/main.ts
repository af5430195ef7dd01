import { join } from 'node:path';
import { fuzz, repoRoot } from './fuzz.js';

// npm run fuzz -- [--cases N] [--parser-cases N] [--seed N] [--failures DIR] [--human]: mutated snapshots replayed
// (the host is never touched; --human renders each report for a terminal too) and mutated parser inputs; exit 1 on
// any failure, each with its mutant saved.

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`fuzz: ${name} takes a whole number, not "${process.argv[at + 1]}"\n`);
    process.exit(64);
  }
  return value;
}

const cases = option('--cases', 1000);
const at = process.argv.indexOf('--failures');
const summary = await fuzz({
  seed: option('--seed', Date.now() % 2 ** 31),
  snapshotCases: cases,
  parserCases: option('--parser-cases', cases),
  failuresDir: at >= 0 ? process.argv[at + 1]! : join(repoRoot(), 'fuzz-failures'),
  human: process.argv.includes('--human'),
  progress: (text) => process.stderr.write(`fuzz: ${text}\n`),
});
const { snapshots, parsers, failures } = summary;
process.stdout.write(
  [
    `seed ${summary.seed}`,
    `snapshots: ${snapshots.cases} cases in ${snapshots.seconds.toFixed(1)} s: ${snapshots.reports} reports (exit codes ${JSON.stringify(snapshots.exitCodes)}), ${snapshots.refused} refused as not a valid snapshot; largest report ${snapshots.maxReportBytes} bytes`,
    `parsers: ${parsers.cases} inputs for ${parsers.targets} parsers in ${parsers.seconds.toFixed(1)} s: ${parsers.parsed} parsed, ${parsers.rejected} rejected as malformed`,
    `failures: ${failures.length}`,
    ...failures.map(
      (failure) =>
        `  ${failure.what}\n    ${failure.problem.split('\n').slice(0, 6).join('\n    ')}\n    mutant saved to ${failure.saved}`,
    ),
  ].join('\n') + '\n',
);
process.exitCode = failures.length > 0 ? 1 : 0;
