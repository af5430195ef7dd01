import { Command, CommanderError, Option } from 'commander';
import { BUILTIN_CHECKS } from '../checks/index.js';
import { CATALOG, catalogEntry } from './catalog.js';
import { Facts } from './facts/facts.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './host/live.js';
import { SessionHost } from './host/session.js';
import { loadPlugins, type LoadedPlugins } from './plugins.js';
import { renderHuman } from './render/human.js';
import { renderJson } from './render/json.js';
import { EXIT, TOOL, buildReport, exitCode, type FailOn } from './report.js';
import { DEFAULT_CHECK_TIMEOUT_MS, runChecks } from './runner.js';
import { UsageError, openHost, startSpinner, useColor, writeSnapshot, type OutputStreams } from './session.js';
import type { Check, CheckResult } from './types.js';
import { registerWhy } from './why/command.js';

export type Io = OutputStreams;

interface DiagnoseOptions {
  json?: boolean;
  format: 'human' | 'json';
  only?: string[];
  skip?: string[];
  failOn: FailOn;
  timeout: number;
  commandTimeout: number;
  checksDir: string[];
  record?: string;
  replay?: string;
  verbose?: boolean;
  color: 'auto' | 'always' | 'never';
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}

function parseSeconds(option: string): (value: string) => number {
  return (value) => {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`${option} takes a positive number of seconds, not "${value}"`);
    return seconds;
  };
}

function collectDirs(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --only and --skip take check ids or finding ids; an unknown one is a usage error, never silently nothing. */
export function selectChecks(checks: readonly Check[], only: string[] | undefined, skip: string[] | undefined): Check[] {
  const known = new Set(checks.flatMap((check) => [check.id, ...check.findings]));
  const unknown = [...(only ?? []), ...(skip ?? [])].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`unknown check or finding id: ${unknown.join(', ')} (netdoctor list shows them)`);
  const matches = (check: Check, ids: string[]) => ids.includes(check.id) || check.findings.some((id) => ids.includes(id));
  return checks.filter((check) => (only === undefined || matches(check, only)) && (skip === undefined || !matches(check, skip)));
}

async function diagnose(options: DiagnoseOptions, io: Io): Promise<number> {
  if (options.record !== undefined && options.replay !== undefined) throw new UsageError('--record and --replay cannot be used together');
  const format = options.json ? 'json' : options.format;
  const plugins = await loadPlugins(pluginDirs(options.checksDir, io));
  const selected = selectChecks([...BUILTIN_CHECKS, ...plugins.checks], options.only, options.skip);
  const host = new SessionHost(await openHost(options.replay, Math.min(options.commandTimeout, options.timeout) * 1000));
  const facts = new Facts(host);

  const spinner = startSpinner(io, format === 'human', 'diagnosing');
  const startedAt = new Date();
  const started = performance.now();
  let results: CheckResult[];
  try {
    results = await runChecks(selected, { host, facts }, {
      timeoutMs: options.timeout * 1000,
      onResult: (result, done, total) => {
        if (spinner) spinner.text = `diagnosing: ${done}/${total} checks (${result.id})`;
      },
    });
  } finally {
    spinner?.stop();
  }
  const durationMs = Math.round(performance.now() - started);
  const report = await buildReport(facts, [...results, ...plugins.broken], startedAt, durationMs, options.replay);

  if (options.record !== undefined) await writeSnapshot(host, options.record, startedAt, io);
  const width = Math.min(io.stdout.columns ?? 100, 140);
  io.stdout.write(format === 'json' ? renderJson(report) : renderHuman(report, { color: useColor(options.color, io), width, verbose: options.verbose === true }));
  return exitCode(report, options.failOn);
}

/** `netdoctor why` reports the pair ids; it is listed beside the checks so that every catalog id has a reporter. */
const WHY_REPORTER = {
  id: 'why',
  title: 'netdoctor why A B: the path from one container to another',
  findings: CATALOG.filter((entry) => entry.id.startsWith('pair.')).map((entry) => entry.id),
  docs: 'README.md#netdoctor-why-a-b',
};

/** The plug-in folders: --checks-dir (repeatable), then NETDOCTOR_CHECKS_DIR (colon-separated). */
function pluginDirs(checksDir: readonly string[], io: Io): string[] {
  return [...checksDir, ...(io.env.NETDOCTOR_CHECKS_DIR ?? '').split(':').filter((dir) => dir !== '')];
}

/** Plug-ins that did not load, on stderr; list and explain go on without them and exit 2. */
function reportBroken(plugins: LoadedPlugins, io: Io): number {
  for (const broken of plugins.broken) io.stderr.write(`netdoctor: ${broken.id}: ${broken.reason ?? 'not loaded'}\n`);
  return plugins.broken.length > 0 ? EXIT.incomplete : EXIT.ok;
}

function reportersOf(id: string): string[] {
  return [...BUILTIN_CHECKS, WHY_REPORTER].filter((check) => check.findings.includes(id)).map((check) => (check === WHY_REPORTER ? 'netdoctor why A B' : check.id));
}

async function listChecks(options: { json?: boolean; checksDir: string[] }, io: Io): Promise<number> {
  const plugins = await loadPlugins(pluginDirs(options.checksDir, io));
  const rows = [
    ...[...BUILTIN_CHECKS, WHY_REPORTER].map((check) => ({ id: check.id, title: check.title, findings: [...check.findings], docs: check.docs })),
    ...plugins.checks.map((check) => ({ id: check.id, title: check.title, findings: [...check.findings], docs: check.docs, source: check.source })),
  ];
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const row of rows) {
      io.stdout.write(`${row.id}  ${row.title}${'source' in row ? `  (plug-in ${row.source})` : ''}\n`);
      for (const id of row.findings) io.stdout.write(`    ${id}  (${catalogEntry(id)?.severity ?? 'plug-in'})\n`);
    }
  }
  return reportBroken(plugins, io);
}

async function explain(id: string, options: { checksDir: string[] }, io: Io): Promise<number> {
  const entry = catalogEntry(id);
  if (entry === undefined) {
    const plugins = await loadPlugins(pluginDirs(options.checksDir, io));
    const reporters = plugins.checks.filter((check) => check.findings.includes(id));
    if (reporters.length > 0) {
      const lines = reporters.map((check) => `Reported by the plug-in check ${check.id} (${check.source}): ${check.title}\nDocs: ${check.docs}`);
      io.stdout.write(`${id} (plug-in finding, not in the catalog)\n\n${lines.join('\n\n')}\n\nIts wording (explanation, evidence, fix) comes with each finding the plug-in reports.\n`);
      return reportBroken(plugins, io);
    }
    reportBroken(plugins, io);
    const near = CATALOG.filter((candidate) => candidate.id.includes(id) || id.includes(candidate.id.split('.')[1] ?? '')).map((candidate) => candidate.id);
    throw new UsageError(`unknown finding id: ${id}${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}; netdoctor list shows every id`);
  }
  io.stdout.write(
    [
      `${entry.id} (${entry.severity})`,
      entry.title,
      '',
      `What it means: ${entry.explanation}`,
      '',
      `Usual cause: ${entry.cause}`,
      '',
      `Fix: ${entry.fix}`,
      '',
      `Reported by: ${reportersOf(id).join(', ')}`,
      `Docs: ${entry.docs}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('netdoctor')
    .description('Diagnose why containers on this Linux host cannot reach each other, resolve names, or reach the outside.')
    .version(TOOL.version)
    .exitOverride()
    // Options after a subcommand belong to it: without this, `list --json` would set the diagnosis' --json.
    .enablePositionalOptions()
    // Commander adds `help` only to programs without an action of their own.
    .helpCommand(true)
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showSuggestionAfterError(true)
    .option('--json', 'print the report as JSON (same as --format json)')
    .addOption(new Option('--format <format>', 'report format').choices(['human', 'json']).default('human'))
    .option('--only <ids>', 'run only these checks (check or finding ids, comma-separated, repeatable)', collect)
    .option('--skip <ids>', 'skip these checks (check or finding ids, comma-separated, repeatable)', collect)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'never']).default('error'))
    .option('--timeout <seconds>', 'time limit of each check', parseSeconds('--timeout'), DEFAULT_CHECK_TIMEOUT_MS / 1000)
    .option('--command-timeout <seconds>', 'time limit of each command netdoctor runs (raise it on a slow or loaded host)', parseSeconds('--command-timeout'), DEFAULT_COMMAND_TIMEOUT_MS / 1000)
    .option('--checks-dir <dir>', 'also load checks (.js, .mjs) from this folder (repeatable; also NETDOCTOR_CHECKS_DIR)', collectDirs, [] as string[])
    .option('--record <file>', 'write everything this run read from the host to a snapshot file')
    .option('--replay <file>', 'diagnose a recorded snapshot instead of this host')
    .option('--verbose', 'list checks that do not apply to this host too')
    .addOption(new Option('--color <when>', 'colour the human report').choices(['auto', 'always', 'never']).default('auto'))
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 the diagnosis is incomplete (a check errored); 64 usage error.',
    )
    .action(async (options: DiagnoseOptions) => setExit(await diagnose(options, io)));

  program
    .command('list')
    .description('list every check and the finding ids it can report, plug-ins included')
    .option('--json', 'as JSON')
    .option('--checks-dir <dir>', 'also list the checks of this folder (repeatable; also NETDOCTOR_CHECKS_DIR)', collectDirs, [] as string[])
    .action(async (options: { json?: boolean; checksDir: string[] }) => setExit(await listChecks(options, io)));

  program
    .command('explain')
    .description('explain a finding id: what it means, its usual cause and its fix')
    .argument('<id>', 'a finding id, e.g. host.ip_forward_disabled')
    .option('--checks-dir <dir>', 'also look for the id among the checks of this folder (repeatable; also NETDOCTOR_CHECKS_DIR)', collectDirs, [] as string[])
    .action(async (id: string, options: { checksDir: string[] }) => setExit(await explain(id, options, io)));

  registerWhy(program, io, setExit);

  return program;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (value) => {
    code = value;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`netdoctor: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`netdoctor: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.incomplete;
  }
}
