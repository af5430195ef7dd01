import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { FailOn } from '../pipeline/exit.js';
import type { Io } from './io.js';
import { FORMATS, type Format } from './formats.js';

/** Settings a config file may give; an option on the command line wins over them. */
export interface FileConfig {
  failOn?: FailOn;
  skip?: string[];
  only?: string[];
  checksDir?: string[];
  format?: Format;
  redact?: boolean;
}

export const SYSTEM_CONFIG = '/etc/netdoctor/config.toml';

/** The system file, then the user's ($XDG_CONFIG_HOME/netdoctor/config.toml, else ~/.config/...): the user's wins. */
export function configFiles(io: Io): string[] {
  const files = [io.systemConfig ?? SYSTEM_CONFIG];
  const base = io.env.XDG_CONFIG_HOME || (io.env.HOME ? join(io.env.HOME, '.config') : undefined);
  if (base !== undefined && base.startsWith('/')) files.push(join(base, 'netdoctor', 'config.toml'));
  return files;
}

const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'never'];

function ids(file: string, key: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))
    throw new UsageError(`${file}: ${key} takes a string or an array of strings`);
  return list.flatMap((item) => item.split(',').map((part) => part.trim())).filter((item) => item !== '');
}

function oneOf<T extends string>(file: string, key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new UsageError(`${file}: ${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

/** One config file's settings; a file that does not exist gives none, one that is wrong is a usage error. */
export async function parseConfig(text: string, file: string): Promise<FileConfig> {
  // The TOML parser loads only when a config file exists: most runs read none.
  const { parse } = await import('smol-toml');
  let table: Record<string, unknown>;
  try {
    table = parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
  const config: FileConfig = {};
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'fail-on':
        config.failOn = oneOf(file, key, value, FAIL_ON);
        break;
      case 'format':
        config.format = oneOf(file, key, value, FORMATS);
        break;
      case 'skip':
        config.skip = ids(file, key, value);
        break;
      case 'only':
        config.only = ids(file, key, value);
        break;
      case 'checks-dir':
        config.checksDir = ids(file, key, value);
        break;
      case 'redact':
        if (typeof value !== 'boolean') throw new UsageError(`${file}: redact takes true or false`);
        config.redact = value;
        break;
      default:
        throw new UsageError(
          `${file}: unknown setting "${key}" (known: fail-on, skip, only, checks-dir, format, redact)`,
        );
    }
  }
  return config;
}

/** The settings of every config file that exists, later files overriding earlier ones key by key. */
export async function loadConfig(io: Io): Promise<FileConfig> {
  let merged: FileConfig = {};
  for (const file of configFiles(io)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') continue;
      throw new UsageError(`cannot read the config file ${file}: ${(error as Error).message}`);
    }
    merged = { ...merged, ...(await parseConfig(text, file)) };
  }
  return merged;
}
