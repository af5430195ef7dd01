/**
 * The real-engine lab: `node dist/test/lab/run.js run|record [--verbose] [NAME...]` (root), `list`, `restore`.
 * See test/lab/README.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { aardvarkPids, orphanedRootlessAardvark } from './lib/aardvark.js';
import { Engine } from './lib/engine.js';
import type { EngineKind } from './lib/engine-kind.js';
import { baseEnv, brief, clip, ok, output, run } from './lib/exec.js';
import { compareFingerprints, fingerprint } from './lib/fingerprint.js';
import { recoverJournal } from './lib/guard.js';
import { stopStaleEnvironments } from './lib/gen2.js';
import { stopStaleGuests } from './lib/guest.js';
import { runScenario, type ScenarioResult } from './lib/harness.js';
import { ensureDockerd, type Lab } from './lib/lab.js';
import { installForLabUser } from './lib/netdoctor.js';
import { LAB_PREFIX, LAB_RUN, SETUP } from './lib/paths.js';
import { takeLabRunLock } from './lib/run-lock.js';
import { SCENARIOS } from './scenarios/index.js';
import { generationsOf, selectUnits, tally } from './lib/units.js';

const EXIT_USAGE = 64;
const LOG = `${LAB_RUN}/last-run.log`;

const USAGE = `usage: node dist/test/lab/run.js run|record [--verbose] [SCENARIO[@gen1|@gen2]...]
       node dist/test/lab/run.js list | restore
  run      set up the lab (test/lab/env/setup.sh), then run the scenarios one at a time (root only), each on
           every lab generation it has (gen1: this host; gen2: Debian 13's engines in namespaces), or on one
  record   the same, and record netdoctor's snapshots to test/fixtures/snapshots/lab/ (gen2: snapshots/gen2/,
           and the engines' raw outputs to test/fixtures/gen2-raw/)
  list     the scenarios
  restore  undo what an interrupted run left (moved binaries, modes, sysctls) and remove ndl-* objects`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Removes ndl-* containers and networks in all four stores, lab guests and gen2 environments: an interrupted run's. */
async function sweep(): Promise<string[]> {
  const removed: string[] = [...(await stopStaleGuests()), ...(await stopStaleEnvironments())];
  // The sweep ends no aardvark-dns: it did not start any.
  const running = await aardvarkPids();
  for (const kind of ['podman', 'cni', 'rootless', 'docker'] as EngineKind[]) {
    const engine = new Engine(kind);
    engine.aardvarkBefore = running;
    const [containers, networks] = await Promise.all([
      engine.cmd(['ps', '-a', '--format', '{{.Names}}']),
      engine.cmd(['network', 'ls', '--format', '{{.Name}}']),
    ]);
    const lab = (result: typeof containers) =>
      ok(result)
        ? result.stdout
            .split('\n')
            .map((line) => line.trim())
            .filter((name) => name.startsWith(LAB_PREFIX))
        : [];
    for (const name of lab(containers)) engine.trackContainer(name);
    for (const name of lab(networks)) engine.trackNetwork(name);
    removed.push(...(await engine.cleanup()).map((name) => `${engine.label} ${name}`));
  }
  return removed;
}

function line(result: ScenarioResult): string {
  const verdict = result.passed ? 'pass' : 'FAIL';
  const text = result.passed
    ? result.summary
    : `${result.failure ?? ''}${result.failure && result.summary !== result.failure ? ` (saw: ${result.summary})` : ''}`;
  return `${result.name.padEnd(36)} gen${result.generation} ${verdict}  ${clip(text, result.passed ? 700 : 900)}  (${result.seconds.toFixed(1)} s)`;
}

async function main(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  const verbose = rest.includes('--verbose');
  const names = rest.filter((arg) => arg !== '--verbose');
  if (mode === 'list') {
    for (const scenario of SCENARIOS) {
      const generations = generationsOf(scenario)
        .map((generation) => `gen${generation}`)
        .join(',');
      say(
        `${scenario.name.padEnd(36)} ${generations.padEnd(9)} ${scenario.kind === 'baseline' ? 'baseline' : scenario.ids.join(', ')}: ${scenario.description}`,
      );
    }
    return 0;
  }
  if (mode !== 'run' && mode !== 'record' && mode !== 'restore') {
    process.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `lab: the lab changes the host (sysctls, binaries, dockerd) and drives rootful engines: run it as root (sudo npm run test:lab).\n`,
    );
    return EXIT_USAGE;
  }
  const { units: selected, unknown } = selectUnits(SCENARIOS, names);
  if (unknown.length > 0) {
    process.stderr.write(`lab: unknown scenario(s): ${unknown.join(', ')} (node dist/test/lab/run.js list)\n`);
    return EXIT_USAGE;
  }

  const lock = await takeLabRunLock(say);
  if (lock.held === 'no') {
    process.stderr.write(`lab: ${lock.detail}\n`);
    return 1;
  }
  if (verbose) say(`lab: ${lock.detail}`);
  const recovered = await recoverJournal();
  if (recovered.length > 0) say(`lab: undid what an interrupted run left: ${recovered.join('; ')}`);
  if (mode === 'restore') {
    const docker = await ensureDockerd();
    const removed = await sweep();
    say(
      `lab: restored (${recovered.length} host change(s) undone, ${removed.length} ndl-* object(s) removed${docker ? `, ${docker}` : ''})`,
    );
    return 0;
  }

  const labStarted = performance.now();
  const setup = await run(['bash', SETUP], { timeoutMs: 900_000, env: baseEnv() });
  if (!ok(setup)) {
    process.stderr.write(`lab: test/lab/env/setup.sh failed (${brief(setup, 300)})\n${output(setup)}\n`);
    return 1;
  }
  say(`lab: ${setup.stdout.trim().split('\n').pop() ?? 'setup done'}`);
  await installForLabUser();
  const swept = await sweep();
  if (swept.length > 0) say(`lab: removed leftovers of an earlier run: ${swept.join(', ')}`);
  const orphan = await orphanedRootlessAardvark();
  if (orphan !== undefined) {
    say(`lab: the host is not healthy before the run: ${orphan}`);
    return 1;
  }
  const initial = await fingerprint();
  let before = initial;

  const current: { lab?: Lab } = {};
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`lab: ${signal}: restoring the host before exiting\n`);
    const lab = current.lab;
    void (async () => {
      try {
        if (lab) {
          await lab.scenario.restore(lab).catch(() => undefined);
          await lab.removeObjects().catch(() => undefined);
          await lab.restoreHost().catch(() => undefined);
        }
      } finally {
        process.exit(130);
      }
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results: ScenarioResult[] = [];
  const log: string[] = [`netdoctor lab ${mode}, ${new Date().toISOString()}`];
  // No limit on the whole run: each scenario has its own (harness.ts), so a slow one costs only itself.
  for (const { scenario, generation } of selected) {
    let result: ScenarioResult | undefined;
    for (let attempt = 1; attempt <= 2 && (result === undefined || result.retriable === true); attempt++) {
      const first = result;
      const outcome = await runScenario(scenario, { record: mode === 'record' }, before, current, generation);
      // A scenario that did not restore everything is failed for it; the next ones are judged on their own.
      before = outcome.after;
      result = outcome.result;
      if (first !== undefined) result.firstAttempt = first.failure;
      say(`${line(result)}${result.retriable === true && attempt === 1 ? '  (the lab tries it once more)' : ''}`);
      log.push(`== ${line(result)}`, ...result.details.map((detail) => `   ${detail}`));
      if (verbose) for (const detail of result.details) say(`    ${detail}`);
    }
    results.push(result!);
  }
  await mkdir(LAB_RUN, { recursive: true });
  await writeFile(LOG, `${log.join('\n')}\n`);

  const left = compareFingerprints(initial, await fingerprint());
  say(
    left.length === 0
      ? 'lab: the host is as before the run'
      : `lab: the host is NOT as before the run: ${left.join('; ')}`,
  );
  const failed = results.filter((result) => !result.passed);
  const seconds = (performance.now() - labStarted) / 1000;
  if (failed.length > 0)
    say(
      `lab: ${failed.length} scenario(s) failed: ${failed.map((result) => `${result.name}@gen${result.generation}`).join(', ')}; details in ${LOG}`,
    );
  // Again at the end, where a CI log's tail shows them.
  for (const result of failed)
    say(
      `lab: FAIL ${result.name}@gen${result.generation}: ${clip(result.failure ?? '', 600)}${result.firstAttempt !== undefined ? ` (first attempt: ${clip(result.firstAttempt, 300)})` : ''}`,
    );
  for (const result of results.filter((item) => item.passed && item.firstAttempt !== undefined))
    say(
      `lab: ${result.name}@gen${result.generation} passed on a second attempt; the first failed in the lab's own steps: ${clip(result.firstAttempt!, 400)}`,
    );
  say(
    `lab: total ${seconds.toFixed(0)} s${mode === 'record' ? '; snapshots in test/fixtures/snapshots/lab/ and gen2/, raw outputs in test/fixtures/gen2-raw/' : ''}`,
  );
  for (const generation of [1, 2] as const) {
    const ofGeneration = results.filter((result) => result.generation === generation);
    if (ofGeneration.length > 0)
      say(
        `lab gen${generation}: ${tally(ofGeneration)} (${ofGeneration.reduce((sum, result) => sum + result.seconds, 0).toFixed(0)} s)`,
      );
  }
  say(`lab: ${tally(results)}`);
  return failed.length > 0 || left.length > 0 ? 1 : 0;
}

// A reader that stops early (`run.js list | head`) is no failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
