import { Command, CommanderError, Option } from 'commander';
import type { CheckMetadata } from '../core/check.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../core/host.js';
import { TOOL } from '../core/tool.js';
import { EXIT, exitCode, type FailOn } from '../pipeline/exit.js';
import type { PipelineResult } from '../pipeline/pipeline.js';
import { loadPlugins } from '../pipeline/plugins.js';
import { DEFAULT_CHECK_TIMEOUT_MS, runChecks } from '../pipeline/runner.js';
import { explainFinding, listChecks, pluginDirs } from './catalog.js';
import { registerCompletion } from './completion.js';
import type { FileConfig } from './config.js';
import { helpSectionsText, renderManPage } from './manpage.js';
import { startSpinner, useColor, writeSnapshot, type Io } from './io.js';
import { FORMATS, type Format } from './formats.js';
import { parseSeconds } from './seconds.js';
import { registerWhy } from './why.js';

interface DiagnoseOptions {
  json?: boolean;
  format: Format;
  output?: string;
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
  probeDns?: boolean;
  redact?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}

function collectDirs(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The config files' settings; the module (and its TOML parser) loads only for a command that reads them. */
async function loadConfig(io: Io): Promise<FileConfig> {
  return (await import('./config.js')).loadConfig(io);
}

function pick(config: FileConfig, key: keyof FileConfig): FileConfig {
  return config[key] === undefined ? {} : { [key]: config[key] };
}

/** The config files' settings under the command line's: an option given on the command line wins. */
function withConfig<T extends Partial<Record<keyof FileConfig, unknown>>>(
  options: T,
  config: FileConfig,
  command: Command,
): T {
  const merged: Record<string, unknown> = { ...options };
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined && command.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  if (command.getOptionValueSource('json') === 'cli') merged.format = 'json';
  return merged as T;
}

/** --only and --skip take check ids or finding ids; an unknown one is a usage error, never silently nothing. */
export function selectChecks<T extends CheckMetadata>(
  checks: readonly T[],
  only: string[] | undefined,
  skip: string[] | undefined,
): T[] {
  const known = new Set(checks.flatMap((check) => [check.id, ...Object.keys(check.findings)]));
  const unknown = [...(only ?? []), ...(skip ?? [])].filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new UsageError(`unknown check or finding id: ${unknown.join(', ')} (netdoctor list shows them)`);
  const matches = (check: T, ids: string[]) =>
    ids.includes(check.id) || Object.keys(check.findings).some((id) => ids.includes(id));
  return checks.filter(
    (check) => (only === undefined || matches(check, only)) && (skip === undefined || !matches(check, skip)),
  );
}

async function diagnose(options: DiagnoseOptions, io: Io): Promise<number> {
  if (options.record !== undefined && options.replay !== undefined)
    throw new UsageError('--record and --replay cannot be used together');
  const format = options.json ? 'json' : options.format;
  const pipeline = {
    replay: options.replay,
    record: options.record !== undefined,
    redact: options.redact === true,
    commandTimeoutMs: Math.min(options.commandTimeout, options.timeout) * 1000,
    warmUp: options.only === undefined ? ('diagnosis' as const) : undefined,
  };
  const plugins = await loadPlugins(pluginDirs(options.checksDir, io));
  // An unknown id is a usage error before any command starts, by the checks' metadata.
  if (options.only !== undefined || options.skip !== undefined) {
    const { HOST_CHECK_METADATA } = await import('./check-catalog.js');
    selectChecks([...HOST_CHECK_METADATA, ...plugins.checks], options.only, options.skip);
  }
  // Imported here, not above: --version, --help, list and explain start without the checks and the firewall model.
  // The session opens first: the warm-up's commands (podman info the longest) run while the checks load.
  const { openSession, runPipeline } = await import('../pipeline/pipeline.js');
  const session = await openSession(pipeline);
  const [{ HOST_CHECKS }, { deliverReport }] = await Promise.all([
    import('../../checks/index.js'),
    import('./output.js'),
  ]);
  const selected = selectChecks([...HOST_CHECKS, ...plugins.checks], options.only, options.skip);
  const spinner = await startSpinner(
    io,
    format === 'human' || options.output !== undefined,
    'diagnosing',
    useColor(options.color, { ...io, stdout: io.stderr }),
  );
  let result: PipelineResult;
  try {
    result = await runPipeline(
      pipeline,
      async (context) => {
        const probes = { dns: options.probeDns === true };
        const results = await runChecks(
          selected,
          { ...context, probes },
          {
            timeoutMs: options.timeout * 1000,
            onResult: (checkResult, done, total) => {
              if (spinner) spinner.text = `diagnosing: ${done}/${total} checks (${checkResult.id})`;
            },
          },
        );
        return { checks: [...results, ...plugins.broken] };
      },
      session,
    );
  } finally {
    spinner?.stop();
  }
  const { report, snapshot } = result;
  if (snapshot !== undefined) await writeSnapshot(snapshot, options.record!, io);
  await deliverReport(
    report,
    { format, output: options.output, color: options.color, verbose: options.verbose === true, failOn: options.failOn },
    io,
  );
  return exitCode(report, options.failOn);
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('netdoctor')
    .description(
      'Diagnose why containers on this Linux host cannot reach each other, resolve names, or reach the outside.',
    )
    .version(TOOL.version)
    .exitOverride()
    // Options after a subcommand belong to it: without this, `list --json` would set the diagnosis' --json.
    .enablePositionalOptions()
    // Commander adds `help` only to programs without an action of their own.
    .helpCommand(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Every usage error starts alike: commander's own ("error: unknown option") as netdoctor's.
      outputError: (text, write) => write(`netdoctor: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true)
    .option('--json', 'print the report as JSON (same as --format json)')
    .addOption(
      new Option(
        '--format <format>',
        'report format (markdown: for a ticket; junit: for CI test reporters; github: annotations and a step summary)',
      )
        .choices(FORMATS)
        .default('human'),
    )
    .option('--output <file>', 'write the report in --format to this file; the terminal gets the human view')
    .option('--only <ids>', 'run only these checks (check or finding ids, comma-separated, repeatable)', collect)
    .option('--skip <ids>', 'skip these checks (check or finding ids, comma-separated, repeatable)', collect)
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
        .choices(['error', 'warning', 'never'])
        .default('error'),
    )
    .option(
      '--timeout <seconds>',
      'time limit of each check',
      parseSeconds('--timeout'),
      DEFAULT_CHECK_TIMEOUT_MS / 1000,
    )
    .option(
      '--command-timeout <seconds>',
      'time limit of each command netdoctor runs (raise it on a slow or loaded host)',
      parseSeconds('--command-timeout'),
      DEFAULT_COMMAND_TIMEOUT_MS / 1000,
    )
    .option(
      '--checks-dir <dir>',
      'also load checks (.js, .mjs) from this folder (repeatable; also NETDOCTOR_CHECKS_DIR)',
      collectDirs,
      [] as string[],
    )
    .option('--record <file>', 'write everything this run read from the host to a snapshot file')
    .option('--replay <file>', 'diagnose a recorded snapshot instead of this host')
    .option(
      '--probe-dns',
      "send one DNS query to each upstream server the containers depend on, over the containers' own path",
    )
    .option(
      '--redact',
      'replace the host name, user names, MAC addresses and host addresses with pseudonyms, in every format and in --record',
    )
    .option('--verbose', 'list every check, passing and not applicable ones too')
    .addOption(
      new Option('--color <when>', 'colour the human report').choices(['auto', 'always', 'never']).default('auto'),
    )
    .addHelpText('after', helpSectionsText())
    .action(async (options: DiagnoseOptions, command: Command) =>
      setExit(await diagnose(withConfig(options, await loadConfig(io), command), io)),
    );

  program
    .command('list')
    .description('list every check and the finding ids it can report, plug-ins included')
    .option('--json', 'as JSON')
    .option('--markdown', 'every finding id with its full wording, as a markdown document (docs/findings.md)')
    .option(
      '--checks-dir <dir>',
      'also list the checks of this folder (repeatable; also NETDOCTOR_CHECKS_DIR)',
      collectDirs,
      [] as string[],
    )
    .action(async (options: { json?: boolean; markdown?: boolean; checksDir: string[] }, command: Command) =>
      setExit(await listChecks(withConfig(options, pick(await loadConfig(io), 'checksDir'), command), io)),
    );

  program
    .command('explain')
    .description('explain a finding id: what it means, its usual cause and its fix')
    .argument('<id>', 'a finding id, e.g. host.ip_forward_disabled')
    .option(
      '--checks-dir <dir>',
      'also look for the id among the checks of this folder (repeatable; also NETDOCTOR_CHECKS_DIR)',
      collectDirs,
      [] as string[],
    )
    .action(async (id: string, options: { checksDir: string[] }, command: Command) =>
      setExit(await explainFinding(id, withConfig(options, pick(await loadConfig(io), 'checksDir'), command), io)),
    );

  registerWhy(program, io, setExit);
  registerCompletion(program, io, setExit);

  program
    .command('man', { hidden: true })
    .description('print the man page netdoctor(1), from the same source as --help (man/netdoctor.1)')
    .action(() => {
      io.stdout.write(renderManPage(program));
      setExit(EXIT.ok);
    });

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
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
        ? EXIT.ok
        : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`netdoctor: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`netdoctor: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.incomplete;
  }
}
