import type { Finding } from '../../../src/core/types.js';
import type { Report } from '../../../src/core/report.js';
import type { BaselineScenario, BrokenScenario, ExpectedFinding, Scenario } from '../scenario.js';
import { LabError, brief, clip, ok, run, sleep, type RunResult } from './exec.js';
import { aardvarkPids } from './aardvark.js';
import { compareFingerprints, fingerprint } from './fingerprint.js';
import type { Generation } from './gen2.js';
import { recordRawOutputs } from './gen2-raw.js';
import { Lab, type LabOptions } from './lab.js';
import { loadScale } from './load.js';
import { identityEnv } from './netdoctor.js';
import { AS_USER, LAB_PREFIX, LAB_USER } from './paths.js';

export interface ScenarioResult {
  name: string;
  generation: Generation;
  kind: Scenario['kind'];
  passed: boolean;
  /** Broken: expected findings reported. Baseline: no false error. */
  diagnosed: boolean;
  falseErrors: number;
  /** netdoctor's printed fix was run and proven (traffic back, finding gone). */
  printedFixVerified: boolean;
  seconds: number;
  /** One line: what it saw. */
  summary: string;
  failure?: string;
  /**
   * The failure came from the lab's own steps (building the state, proving it with traffic, the time limit) and
   * the host was restored: a second attempt can tell a slow or unlucky moment from a defect. A wrong diagnosis,
   * a fix that does not work or a host left changed is never retried.
   */
  retriable?: boolean;
  /** The first attempt's failure, when this result is of a second one. */
  firstAttempt?: string;
  /** Lines for --verbose and for failures. */
  details: string[];
}

/** The lab's own steps: a failure in one of them says nothing of netdoctor. */
const LAB_STEPS = new Set(['gen2 environment', 'setup', 'prove broken', 'prove healthy', 'reassert', 'time limit']);

/** Per scenario on a quiet host: setup, probes, netdoctor runs and the fix fit in this (the restore comes after). */
export const SCENARIO_LIMIT_MS = 180_000;

class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where the time of the scenario running now goes, for the log. */
let timings: string[] = [];

async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await untimedStep(name, action);
  } finally {
    timings.push(`${name} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

async function untimedStep<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(name, error instanceof Error ? error.message : String(error));
  }
}

// ---------------------------------------------------------------- findings

function subjectMatches(finding: Finding, expected: ExpectedFinding): boolean {
  const wanted = expected.subject;
  if (wanted === undefined) return true;
  const subject = finding.subject;
  if (wanted.engine !== undefined && subject.engine !== wanted.engine) return false;
  if (wanted.containers !== undefined && !wanted.containers.every((name) => subject.containers?.includes(name)))
    return false;
  if (wanted.namespaces !== undefined && !wanted.namespaces.every((name) => subject.namespaces?.includes(name)))
    return false;
  if (wanted.network !== undefined && !(subject.network ?? '').split(/,\s*/).includes(wanted.network)) return false;
  if (wanted.interface !== undefined && subject.interface !== wanted.interface) return false;
  if (wanted.path !== undefined && subject.path !== wanted.path) return false;
  return true;
}

export function matching(report: Report, expected: ExpectedFinding): Finding[] {
  return report.findings.filter(
    (finding) =>
      finding.id === expected.id &&
      finding.severity === expected.severity &&
      subjectMatches(finding, expected) &&
      (expected.title?.test(finding.title) ?? true),
  );
}

function describeExpected(expected: ExpectedFinding): string {
  const subject = expected.subject ? ` ${JSON.stringify(expected.subject)}` : '';
  return `${expected.id} ${expected.severity}${subject}${expected.title ? ` title ${expected.title}` : ''}`;
}

function describeFindings(report: Report): string {
  const findings =
    report.findings.map((finding) => `${finding.id} ${finding.severity} (${clip(finding.title, 70)})`).join('; ') ||
    'no findings';
  // A `why` run that reports nothing still says why in its verdict (a container it could not find or inspect).
  const verdict = report.pair?.verdict.sentence;
  return verdict === undefined ? findings : `${findings}; its verdict: "${clip(verdict, 300)}"`;
}

/** An error about objects the lab did not create (another session's containers or networks): listed, not counted. */
function isForeign(finding: Finding): boolean {
  const { containers, network } = finding.subject;
  if (containers !== undefined && containers.length > 0) return !containers.some((name) => name.startsWith(LAB_PREFIX));
  if (network !== undefined) return !network.split(/,\s*/).some((name) => name.startsWith(LAB_PREFIX));
  return false;
}

// ---------------------------------------------------------------- printed fixes

/** Commands the lab never runs, whatever a scenario says: they reach beyond this machine or end processes by name. */
const NEVER_RUN: [RegExp, string][] = [
  [/\.\.\./, 'a template ("...") is not a command'],
  [/\bapt(-get)?\b|\bdpkg\b/, 'package installs reach the package mirror and change dpkg state'],
  [/\bpkill\b|\bkillall\b/, 'ends processes by name (the lab ends only processes it started, by pid)'],
  [/system reset/, 'destroys a whole store'],
  [/\brm\s+-rf?\s+\/(\s|$)/, 'removes the root folder'],
];

export function refuseReason(command: string): string | undefined {
  return NEVER_RUN.find(([pattern]) => pattern.test(command))?.[1];
}

/** Files a printed command writes with a redirection: guarded first so that the restore removes or restores them. */
function redirectTargets(command: string): string[] {
  return (
    [...command.matchAll(/(?:^|[^0-9&])>>?\s*(\/[^\s;&|]+)/g)]
      .map((match) => match[1]!)
      // /dev/null, and daemon logs (the daemon keeps writing to them): not host configuration.
      .filter((path) => !path.startsWith('/dev/') && !path.startsWith('/var/log/'))
  );
}

async function runPrinted(lab: Lab, command: string, runAs: 'root' | 'identity'): Promise<RunResult> {
  const { identity } = lab.scenario;
  const prefix = lab.hostPrefix();
  if (runAs === 'identity' && identity === 'ndlab')
    return run([...prefix, AS_USER, LAB_USER, 'sh', '-c', command], { timeoutMs: 90_000, env: identityEnv('root') });
  // As root: with the CNI store's environment when the scenario diagnoses that store, so `podman` means it.
  return run([...prefix, 'sh', '-c', command], {
    timeoutMs: 90_000,
    env: identityEnv(identity === 'ndlab' ? 'root' : identity, lab.env()),
  });
}

async function applyPrintedFix(
  lab: Lab,
  scenario: BrokenScenario,
  findings: Finding[],
  details: string[],
): Promise<string> {
  if (scenario.fix.kind !== 'printed') throw new Error('not a printed fix');
  const all = [...new Set(findings.flatMap((finding) => finding.fix.commands))];
  if (all.length === 0) throw new LabError('netdoctor printed no fix command');
  // A finding may name other sessions' containers too (all containers on a default network): the lab never
  // touches those, so their commands are left out.
  const foreign = [
    ...new Set(
      findings.flatMap((finding) => finding.subject.containers ?? []).filter((name) => !name.startsWith(LAB_PREFIX)),
    ),
  ];
  const namesForeign = (command: string) =>
    foreign.some((name) => new RegExp(`(^|\\s)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(command));
  const printed = all.filter((command) => !namesForeign(command));
  if (printed.length < all.length)
    details.push(
      `left out (about other sessions' containers): ${all
        .filter(namesForeign)
        .map((command) => `\`${command}\``)
        .join(', ')}`,
    );
  let commands = printed;
  let note = '';
  if (scenario.fix.adapt) {
    const adapted = scenario.fix.adapt(printed, lab);
    commands = adapted.commands;
    note = adapted.note;
  }
  details.push(`printed fix: ${printed.map((command) => `\`${command}\``).join(', ')}`);
  if (note) details.push(`adapted for the lab (${note}): ${commands.map((command) => `\`${command}\``).join(', ')}`);
  for (const command of commands) {
    const refused = refuseReason(command);
    if (refused !== undefined) throw new LabError(`the lab will not run \`${command}\`: ${refused}`);
  }
  for (const command of commands) {
    for (const path of redirectTargets(command)) await lab.guard.guardFile(path);
    const deadline = Date.now() + (scenario.fix.retrySeconds ?? 0) * 1000;
    let result = await runPrinted(lab, command, scenario.fix.runAs);
    while (!ok(result) && Date.now() < deadline) {
      await sleep(500);
      result = await runPrinted(lab, command, scenario.fix.runAs);
    }
    if (!ok(result)) throw new LabError(`printed fix command \`${command}\` failed (${brief(result, 300)})`);
    details.push(`ran \`${command}\`: ok`);
  }
  const then = scenario.fix.then ? await scenario.fix.then(lab) : undefined;
  return `${commands.length} printed command(s)${note ? ` (adapted: ${note})` : ''}${then ? `, then ${then}` : ''}`;
}

// ---------------------------------------------------------------- running one scenario

function missingIn(reports: Report[], expected: ExpectedFinding[]): ExpectedFinding[] {
  return expected.filter((item) => reports.some((report) => matching(report, item).length === 0));
}

async function runBroken(lab: Lab, scenario: BrokenScenario, result: ScenarioResult): Promise<void> {
  const seen: string[] = [];
  await step('setup', () => scenario.setup(lab));
  seen.push(await step('prove broken', () => scenario.proveBroken(lab)));
  let reports = await step('netdoctor (broken)', () => lab.netdoctor('broken'));
  const expected = scenario.expect(lab);
  let missing = missingIn(reports, expected);
  if (missing.length > 0 && scenario.reassert) {
    const undone = await step('reassert', () => scenario.reassert!(lab));
    if (undone !== undefined) {
      result.details.push(
        `the broken state was undone during netdoctor's run (${undone}): put back, netdoctor run again`,
      );
      reports = await step('netdoctor (broken, again)', () => lab.netdoctor('broken'));
      missing = missingIn(reports, expected);
    }
  }
  const report = reports[0]!;
  if (missing.length > 0) {
    result.details.push(
      ...reports.map(
        (item, index) => `netdoctor${index > 0 ? ' (recorded run)' : ''} reported: ${describeFindings(item)}`,
      ),
    );
    throw new StepError(
      'diagnosis',
      `netdoctor did not report ${missing.map(describeExpected).join(', ')}${reports.length > 1 ? ' (in the full or the recorded run)' : ''}`,
    );
  }
  if (scenario.onlyExpectedErrors) {
    const others = reports.flatMap((item) =>
      item.findings.filter(
        (finding) =>
          finding.severity === 'error' &&
          !isForeign(finding) &&
          !expected.some((wanted) => matching(item, wanted).includes(finding)),
      ),
    );
    if (others.length > 0)
      throw new StepError(
        'diagnosis',
        `netdoctor reported errors besides the expected ones: ${others.map((finding) => `${finding.id} (${clip(finding.title, 90)})`).join('; ')}`,
      );
  }
  result.diagnosed = true;
  const found = expected.flatMap((item) => matching(report, item));
  seen.push(`netdoctor: ${[...new Set(found.map((finding) => `${finding.id} ${finding.severity}`))].join(', ')}`);
  result.details.push(...found.map((finding) => `found ${finding.id} ${finding.severity}: ${finding.title}`));

  const fix = scenario.fix;
  if (fix.kind === 'none') {
    seen.push(`no fix (${fix.reason})`);
    result.summary = seen.join('; ');
    return;
  }
  const how = await step('fix', async () =>
    fix.kind === 'printed'
      ? applyPrintedFix(lab, scenario, found, result.details)
      : `lab's own fix (${fix.reason}): ${(await fix.apply(lab)) ?? 'applied'}`,
  );
  const back = scenario.proveFixed ? await step('prove fixed', () => scenario.proveFixed!(lab)) : undefined;
  const afterReports = await step('netdoctor (fixed)', () => lab.netdoctor('fixed'));
  for (const after of afterReports) {
    const stillThere = expected.flatMap((item) => matching(after, item));
    const problem = scenario.fixedReport
      ? scenario.fixedReport(after, lab, stillThere)
      : stillThere.length > 0
        ? `still reported after the fix: ${stillThere.map((finding) => `${finding.id} ${finding.severity} (${finding.title})`).join('; ')}`
        : undefined;
    if (problem !== undefined) throw new StepError('finding gone', problem);
  }
  seen.push(`fix: ${how}${back ? ` -> ${back}` : ''}; finding gone`);
  result.printedFixVerified = fix.kind === 'printed';
  result.summary = seen.join('; ');
}

async function runBaseline(lab: Lab, scenario: BaselineScenario, result: ScenarioResult): Promise<void> {
  await step('setup', () => scenario.setup(lab));
  const healthy = await step('prove healthy', () => scenario.proveHealthy(lab));
  const reports = await step('netdoctor (healthy)', () => lab.netdoctor('healthy'));
  const report = reports[0]!;
  if (lab.generation === 2 && lab.options.record)
    result.details.push(`raw outputs: ${await step('raw outputs', () => recordRawOutputs(lab))}`);
  const errors = reports.flatMap((item) => item.findings.filter((finding) => finding.severity === 'error'));
  const foreign = errors.filter(isForeign);
  const falseErrors = errors.filter((finding) => !isForeign(finding));
  // Counted once per baseline: the recorded run (record mode) repeats the full run's checks.
  result.falseErrors = Math.max(
    ...reports.map(
      (item) => item.findings.filter((finding) => finding.severity === 'error' && !isForeign(finding)).length,
    ),
  );
  const others = report.findings
    .filter((finding) => finding.severity !== 'error')
    .map((finding) => `${finding.id} ${finding.severity}`);
  if (foreign.length > 0)
    result.details.push(
      `ignored: errors about other sessions' objects: ${foreign.map((finding) => `${finding.id} (${finding.title})`).join('; ')}`,
    );
  result.details.push(`netdoctor: ${describeFindings(report)}`);
  if (falseErrors.length > 0) {
    throw new StepError(
      'false errors',
      `netdoctor reported ${falseErrors.length} error(s) on a healthy host: ${falseErrors.map((finding) => `${finding.id}: ${finding.title}`).join('; ')}`,
    );
  }
  result.diagnosed = true;
  result.summary = `${healthy}; netdoctor: 0 errors${others.length > 0 ? ` (${[...new Set(others)].join(', ')})` : ''}`;
}

/**
 * Rejects when the scenario runs longer than its limit times the load scale. The load is sampled every second and
 * the largest scale seen counts, so load that arrives in the middle of a scenario stretches its limit too.
 */
function withLimit<T>(promise: Promise<T>, baseMs: number, scale: { value: number }): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        scale.value = Math.max(scale.value, loadScale());
        const limitMs = baseMs * scale.value;
        if (performance.now() - started < limitMs) return;
        const factor = `×${scale.value.toFixed(2)}`;
        const stretched = scale.value > 1 ? ` (${baseMs / 1000} s stretched ${factor} for the host's load)` : '';
        reject(new StepError('time limit', `did not finish within ${(limitMs / 1000).toFixed(0)} s${stretched}`));
      }, 1000);
    }),
  ]).finally(() => clearInterval(timer));
}

/** A scenario's result before anything was proven: failed, nothing diagnosed or verified. */
function notYetRun(scenario: Scenario, generation: Generation): ScenarioResult {
  return {
    name: scenario.name,
    generation,
    kind: scenario.kind,
    passed: false,
    diagnosed: false,
    falseErrors: 0,
    printedFixVerified: false,
    seconds: 0,
    summary: '',
    details: [],
  };
}

export async function runScenario(
  scenario: Scenario,
  options: LabOptions,
  before: Map<string, string>,
  current: { lab?: Lab },
  generation: Generation = 1,
): Promise<{ result: ScenarioResult; after: Map<string, string> }> {
  const started = performance.now();
  const lab = new Lab(scenario, options, generation);
  current.lab = lab;
  const result = notYetRun(scenario, generation);
  let failure: string | undefined;
  let retriable = false;
  let after: Map<string, string>;
  timings = [];
  const scale = { value: loadScale() };
  try {
    if (generation === 2) await step('gen2 environment', () => lab.startEnvironment());
    const aardvark = await aardvarkPids();
    for (const engine of [lab.podman, lab.rootless]) engine.aardvarkBefore = aardvark;
    await lab.guard.recordSysctls();
    const body = scenario.kind === 'baseline' ? runBaseline(lab, scenario, result) : runBroken(lab, scenario, result);
    try {
      await withLimit(body, scenario.timeLimitMs ?? SCENARIO_LIMIT_MS, scale);
    } catch (error) {
      // Let the scenario's last bounded command end before restoring under it.
      if (error instanceof StepError && error.step === 'time limit')
        await Promise.race([body.catch(() => undefined), sleep(30_000)]);
      throw error;
    }
  } catch (error) {
    retriable = error instanceof StepError && LAB_STEPS.has(error.step);
    failure =
      error instanceof StepError
        ? `${error.step}: ${error.message}`
        : `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  } finally {
    const restoreProblems: string[] = [];
    try {
      await scenario.restore(lab);
    } catch (error) {
      restoreProblems.push(`restore: ${(error as Error).message}`);
    }
    // The safety net: whatever the scenario's restore missed (it is idempotent).
    try {
      await lab.removeObjects();
    } catch (error) {
      restoreProblems.push(`cleanup: ${(error as Error).message}`);
    }
    try {
      await lab.restoreHost();
    } catch (error) {
      restoreProblems.push(`host: ${(error as Error).message}`);
    }
    after = await fingerprint();
    const differences = compareFingerprints(before, after);
    if (differences.length > 0) restoreProblems.push(`host not as before: ${differences.join('; ')}`);
    if (restoreProblems.length > 0) {
      retriable = false;
      failure = [failure, ...restoreProblems].filter((item) => item !== undefined).join(' | ');
    }
    current.lab = undefined;
  }
  result.seconds = (performance.now() - started) / 1000;
  const stretched = scale.value > 1 ? `; limit stretched ×${scale.value.toFixed(2)} for the host's load` : '';
  result.details.push(`time: ${timings.join(', ')}${stretched}`);
  if (failure !== undefined) {
    result.failure = failure;
    result.retriable = retriable;
  }
  result.passed = failure === undefined;
  if (result.summary === '') result.summary = failure ?? '';
  return { result, after };
}
