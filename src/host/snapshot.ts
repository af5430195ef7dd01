import type { ErrorObject } from 'ajv';
import type { CommandResult, DirResult, FileResult, HostContext, StatResult } from '../core/host.js';

/** Everything one run read from a host: enough to diagnose that host again anywhere. */
export interface Snapshot {
  kind: 'netdoctor-snapshot';
  version: 1;
  tool: { name: string; version: string };
  recordedAt: string;
  context: HostContext;
  commands: CommandResult[];
  files: FileResult[];
  dirs: DirResult[];
  stats: StatResult[];
}

export class SnapshotError extends Error {}

/** The first problem schema/snapshot.schema.json finds in a parsed file, or undefined when it is a valid snapshot. */
export type SnapshotValidator = (data: unknown) => string | undefined;

function describeProblem(problem: ErrorObject): string {
  const where = problem.instancePath === '' ? 'the snapshot' : problem.instancePath;
  const params = problem.params as Record<string, unknown>;
  let detail = problem.message ?? 'is not valid';
  if (typeof params.additionalProperty === 'string') detail += ` (${JSON.stringify(params.additionalProperty)})`;
  if (Array.isArray(params.allowedValues)) detail += ` (${params.allowedValues.map(String).join(', ')})`;
  return clip(`${where} ${detail}`);
}

/** A hostile file can have keys of megabytes: the message names the problem, not the whole key. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

let compiled: Promise<SnapshotValidator> | undefined;

/**
 * The snapshot schema, compiled once per process. Ajv is loaded here, on demand, so that a live run never pays for
 * it (loading and compiling take a few hundred milliseconds).
 */
export function loadSnapshotValidator(): Promise<SnapshotValidator> {
  compiled ??= compileValidator();
  return compiled;
}

async function compileValidator(): Promise<SnapshotValidator> {
  // Imported, not read beside this file: the bundle and the single executable carry the schema inside.
  const [ajv, { default: schema }] = await Promise.all([
    import('ajv/dist/2020.js'),
    import('../../schema/snapshot.schema.json', { with: { type: 'json' } }),
  ]);
  // Through the CommonJS exports object: the bundle's chunk of ajv has nothing but a default export.
  const validate = new ajv.default.Ajv2020({ allErrors: false }).compile(schema);
  return (data) => {
    if (validate(data)) return undefined;
    const [first] = validate.errors ?? [];
    return first === undefined ? 'it does not match schema/snapshot.schema.json' : describeProblem(first);
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and validates a snapshot read from a file; the message names its first problem. */
export function parseSnapshot(text: string, source: string, validate: SnapshotValidator): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(data) || data.kind !== 'netdoctor-snapshot') {
    throw new SnapshotError(`${source} is not a netdoctor snapshot (write one with: netdoctor --record FILE)`);
  }
  if (data.version !== 1) {
    throw new SnapshotError(
      `${source} is a snapshot of version ${clip(JSON.stringify(data.version) ?? 'none')}; this netdoctor reads version 1`,
    );
  }
  const problem = validate(data);
  if (problem !== undefined) throw new SnapshotError(`${source} is not a valid snapshot: ${problem}`);
  return data as unknown as Snapshot;
}
