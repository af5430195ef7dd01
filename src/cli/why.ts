import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { PairOutcome } from '../core/pair.js';
import type { PipelineResult } from '../pipeline/pipeline.js';
import { EXIT } from '../pipeline/exit.js';
import { startSpinner, useColor, writeSnapshot, type Io } from './io.js';
import { parseSeconds } from './seconds.js';

/** The host checks run beside the probes; the whole command must finish in under 5 s. */
const HOST_CHECK_TIMEOUT_MS = 3500;
/**
 * Two containers that answer within this need no host check (0.5 s on a quiet host); a slower pair gets them
 * started beside the probes still running, in case it does not answer.
 */
const HOST_CHECKS_AFTER_MS = 1000;
/**
 * Locating a container takes two engine commands in a row (info, then inspect) before the 2 s probes: a daemon
 * that hangs must give up early for the whole to stay under 5 s. A loaded host needs more (--command-timeout).
 */
export const WHY_COMMAND_TIMEOUT_MS = 2500;

const OUTCOME_EXIT: Record<PairOutcome, number> = {
  reachable: EXIT.ok,
  unreachable: EXIT.findings,
  undecided: EXIT.incomplete,
};

interface WhyOptions {
  port: number[];
  json?: boolean;
  format?: 'human' | 'json';
  record?: string;
  replay?: string;
  color?: 'auto' | 'always' | 'never';
  verbose?: boolean;
  redact?: boolean;
  /** Seconds. */
  commandTimeout?: number;
}

function parsePorts(value: string, previous: number[] = []): number[] {
  const ports = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const port of ports) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
      throw new InvalidArgumentError(`"${port}" is not a TCP port (1-65535)`);
  }
  return [...new Set([...previous, ...ports.map(Number)])];
}

/** An option of `why` or, when given before `why`, of the program: `netdoctor --json why a b` works too. */
function given<T>(command: Command, key: string): T | undefined {
  for (const candidate of [command, command.parent]) {
    if (candidate?.getOptionValueSource(key) === 'cli') return candidate.getOptionValue(key) as T;
  }
  return undefined;
}

async function why(a: string, b: string, options: WhyOptions, io: Io): Promise<number> {
  if (options.record !== undefined && options.replay !== undefined)
    throw new UsageError('--record and --replay cannot be used together');
  const json = options.json === true || options.format === 'json';
  const pipeline = {
    replay: options.replay,
    record: options.record !== undefined,
    redact: options.redact === true,
    commandTimeoutMs: options.commandTimeout === undefined ? WHY_COMMAND_TIMEOUT_MS : options.commandTimeout * 1000,
    warmUp: 'pair' as const,
  };
  // Imported here, not at the top: only `why` itself needs the checks, the probes, the firewall model and a renderer.
  // The session opens first, so that the warm-up's commands run while the rest loads.
  const { openSession, runPipeline } = await import('../pipeline/pipeline.js');
  const session = await openSession(pipeline);
  const [{ HOST_CHECKS, PAIR_CHECKS }, { diagnosePair }, { renderJson }, { renderPair }] = await Promise.all([
    import('../../checks/index.js'),
    import('../pipeline/why.js'),
    import('../render/json.js'),
    import('../render/pair.js'),
  ]);
  const spinner = await startSpinner(
    io,
    !json,
    `probing ${b} from ${a}`,
    useColor(options.color, { ...io, stdout: io.stderr }),
  );
  let result: PipelineResult;
  try {
    result = await runPipeline(
      pipeline,
      (context) =>
        diagnosePair(
          context,
          { a, b, ports: options.port },
          { pair: PAIR_CHECKS, host: HOST_CHECKS },
          // A replay is as fast as it is: its report must not depend on it.
          {
            checkTimeoutMs: HOST_CHECK_TIMEOUT_MS,
            hostChecksAfterMs: options.replay === undefined ? HOST_CHECKS_AFTER_MS : undefined,
          },
        ),
      session,
    );
  } finally {
    spinner?.stop();
  }
  const { report, snapshot } = result;
  if (snapshot !== undefined) await writeSnapshot(snapshot, options.record!, io);
  io.stdout.write(
    json
      ? renderJson(report)
      : renderPair(report, { color: useColor(options.color, io), verbose: options.verbose === true }),
  );
  return OUTCOME_EXIT[report.pair!.verdict.outcome];
}

/** Adds `netdoctor why <A> <B> [--port P]...` to the program. */
export function registerWhy(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('why')
    .description(
      "explain why A cannot reach B: the path between them, link by link, probed from inside A's network namespace",
    )
    .argument(
      '<A>',
      'what connects: a container by name or id (docker:NAME or podman:NAME when both engines have one), or netns:NAME (a named network namespace)',
    )
    .argument(
      '<B>',
      "what it connects to: a container, netns:NAME, host or host:PORT (a service of the host, at its address on A's bridge), or ADDRESS[:PORT]",
    )
    .option(
      '--port <port>',
      'a TCP port of B to probe (repeatable, comma-separated; default: the ports a container or namespace B listens on)',
      parsePorts,
      [] as number[],
    )
    .option('--json', 'print the report as JSON (same as --format json)')
    .addOption(new Option('--format <format>', 'report format').choices(['human', 'json']))
    .option('--record <file>', 'write everything this run read from the host to a snapshot file')
    .option('--replay <file>', 'diagnose a recorded snapshot instead of this host')
    .option('--verbose', 'show the excerpt of every piece of evidence')
    .option('--redact', 'replace the host name, user names, MAC addresses and host addresses with pseudonyms')
    .addOption(new Option('--color <when>', 'colour the human report').choices(['auto', 'always', 'never']))
    .option(
      '--command-timeout <seconds>',
      `time limit of each command (default ${WHY_COMMAND_TIMEOUT_MS / 1000}; raise it on a slow or loaded host)`,
      parseSeconds('--command-timeout'),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 B is reachable on every probed port; 1 it is not; 2 netdoctor could not decide; 64 usage error.',
    )
    .action(async (a: string, b: string, local: { port: number[] }, command: Command) => {
      const options: WhyOptions = { port: local.port };
      for (const key of [
        'json',
        'format',
        'record',
        'replay',
        'color',
        'verbose',
        'redact',
        'commandTimeout',
      ] as const) {
        const value = given<never>(command, key);
        if (value !== undefined) options[key] = value;
      }
      try {
        setExit(await why(a, b, options, io));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.stderr.write(`netdoctor: ${error.message}\n`);
        setExit(EXIT.usage);
      }
    });
}
