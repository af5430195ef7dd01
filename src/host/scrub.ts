import type { CommandResult, FileResult } from '../core/host.js';
import type { Snapshot } from './snapshot.js';

/**
 * A snapshot goes into support tickets, so it keeps no secret the host handed netdoctor: the values of
 * containers' environment variables (docker and podman inspect print them, and podman's CreateCommand repeats
 * `-e NAME=VALUE`), passwords in URLs, and secret-looking values in the files it read. Names stay, so that a
 * reader still sees what was set; the diagnosis never needs the values.
 */
export const REMOVED = 'REMOVED';

/** Names of settings whose values are secrets. */
const SECRET_NAME =
  /passw(?:or)?d|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth|cookie/i;

/** user:password@ in a URL of any scheme (http, https, ssh, tcp, postgres, ...). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]+):([^\s/@'"]+)@/gi;

/** `-e NAME=VALUE` / `--env NAME=VALUE` / `--env=NAME=VALUE` in a command line held as text. */
const ENV_OPTION_TEXT = /((?:^|\s)(?:-e|--env)(?:\s+|=)['"]?[A-Za-z_][A-Za-z0-9_]*=)([^\s'"]*)/g;

function scrubUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1$2:${REMOVED}@`);
}

/** NAME=VALUE with the value removed; text without `=` is left as it is. */
function withoutValue(assignment: string): string {
  const equals = assignment.indexOf('=');
  return equals < 0 ? assignment : `${assignment.slice(0, equals + 1)}${REMOVED}`;
}

/** An argv: values of -e/--env assignments and of options named like secrets (--db-password x, --token=x). */
export function scrubArgv(argv: readonly string[]): string[] {
  const scrubbed: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const previous = argv[index - 1];
    if (previous === '-e' || previous === '--env') scrubbed.push(withoutValue(arg));
    else if (/^--env=/.test(arg)) scrubbed.push(`--env=${withoutValue(arg.slice('--env='.length))}`);
    else if (/^-e[A-Za-z_]/.test(arg)) scrubbed.push(`-e${withoutValue(arg.slice(2))}`);
    else if (/^--?[\w-]+=/.test(arg) && SECRET_NAME.test(arg.slice(0, arg.indexOf('='))))
      scrubbed.push(withoutValue(arg));
    else if (previous !== undefined && /^--?[\w-]+$/.test(previous) && SECRET_NAME.test(previous))
      scrubbed.push(REMOVED);
    else scrubbed.push(scrubUrls(arg));
  }
  return scrubbed;
}

/** Keys of engine JSON whose value is a command line. */
const ARGV_KEYS = new Set(['createcommand', 'cmd', 'args', 'entrypoint']);

/** Engine JSON (inspect, info): environments without values, command lines scrubbed, URLs without passwords. */
function scrubEngineJson(value: unknown, secrets: Set<string>): unknown {
  if (typeof value === 'string') return scrubUrls(value);
  if (Array.isArray(value)) return value.map((item) => scrubEngineJson(item, secrets));
  if (typeof value !== 'object' || value === null) return value;
  const scrubbed: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (name === 'env' && Array.isArray(item)) {
      scrubbed[key] = item.map((entry) => {
        if (typeof entry !== 'string') return entry;
        const equals = entry.indexOf('=');
        if (equals > 0 && SECRET_NAME.test(entry.slice(0, equals))) noteSecret(entry.slice(equals + 1), secrets);
        return withoutValue(entry);
      });
    } else if (name === 'env' && typeof item === 'object' && item !== null) {
      scrubbed[key] = Object.fromEntries(Object.keys(item).map((variable) => [variable, REMOVED]));
    } else if (ARGV_KEYS.has(name) && Array.isArray(item) && item.every((arg) => typeof arg === 'string')) {
      scrubbed[key] = scrubArgv(item as string[]);
    } else {
      scrubbed[key] = scrubEngineJson(item, secrets);
    }
  }
  return scrubbed;
}

/** A secret seen in one place is removed wherever else it shows up (a process's command line, a log line). */
function noteSecret(value: string, secrets: Set<string>): void {
  if (value.length >= 4) secrets.add(value);
}

function parseJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function scrubCommandOutput(text: string, secrets: Set<string>): string {
  const parsed = parseJson(text);
  if (parsed === undefined) return scrubUrls(text).replace(ENV_OPTION_TEXT, `$1${REMOVED}`);
  const scrubbed = scrubEngineJson(parsed, secrets);
  if (JSON.stringify(scrubbed) === JSON.stringify(parsed)) return text;
  return `${JSON.stringify(scrubbed, null, text.includes('\n    ') ? 4 : undefined)}${text.endsWith('\n') ? '\n' : ''}`;
}

/** JSON configuration (daemon.json, auth.json): string values of secret-named keys, env arrays. */
function scrubConfigJson(value: unknown, secrets: Set<string>): unknown {
  if (typeof value === 'string') return scrubUrls(value);
  if (Array.isArray(value)) return value.map((item) => scrubConfigJson(item, secrets));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (typeof item === 'string' && SECRET_NAME.test(key)) {
        noteSecret(item, secrets);
        return [key, REMOVED];
      }
      if (key.toLowerCase() === 'env' && Array.isArray(item)) return [key, scrubArgvLike(item, secrets)];
      return [key, scrubConfigJson(item, secrets)];
    }),
  );
}

function scrubArgvLike(items: unknown[], secrets: Set<string>): unknown[] {
  return items.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const equals = entry.indexOf('=');
    if (equals > 0 && SECRET_NAME.test(entry.slice(0, equals))) noteSecret(entry.slice(equals + 1), secrets);
    return equals > 0 && SECRET_NAME.test(entry.slice(0, equals)) ? withoutValue(entry) : scrubUrls(entry);
  });
}

/** A `name = value` / `name: value` line of TOML, INI, YAML or an env file, with a secret-looking name. */
const SECRET_SETTING = new RegExp(
  `^(\\s*(?:export\\s+)?["']?[\\w.-]*(?:${SECRET_NAME.source})[\\w.-]*["']?\\s*[=:]\\s*)(.+)$`,
  'gim',
);
/** "NAME=VALUE" inside quotes (containers.conf `env = ["TOKEN=..."]`) with a secret-looking name. */
const QUOTED_SECRET_ASSIGNMENT = new RegExp(`(["'])([\\w.-]*(?:${SECRET_NAME.source})[\\w.-]*=)([^"']*)\\1`, 'gi');

function scrubConfigText(text: string, secrets: Set<string>): string {
  return scrubUrls(text)
    .replace(QUOTED_SECRET_ASSIGNMENT, (_match, quote: string, name: string, value: string) => {
      noteSecret(value, secrets);
      return `${quote}${name}${REMOVED}${quote}`;
    })
    .replace(SECRET_SETTING, (_match, setting: string, value: string) => {
      const quote = /^["']/.exec(value)?.[0] ?? '';
      noteSecret(value.replace(/^["']|["'],?\s*$/g, ''), secrets);
      return `${setting}${quote}${REMOVED}${quote}`;
    });
}

function scrubFile(file: FileResult, secrets: Set<string>): FileResult {
  if (!file.ok) return file;
  // /proc and /sys hold kernel state, never configuration with secrets; leave their numbers alone.
  if (file.path.startsWith('/proc/') || file.path.startsWith('/sys/'))
    return { ...file, content: scrubUrls(file.content) };
  const parsed = parseJson(file.content);
  const content =
    parsed === undefined
      ? scrubConfigText(file.content, secrets)
      : `${JSON.stringify(scrubConfigJson(parsed, secrets), null, 2)}\n`;
  return { ...file, content: content === `${JSON.stringify(parsed, null, 2)}\n` ? file.content : content };
}

function removeEverywhere(text: string, secrets: ReadonlySet<string>): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(REMOVED);
  return result;
}

/** The snapshot as it may be written to a file: see REMOVED. */
export function scrubSnapshot(snapshot: Snapshot): Snapshot {
  const secrets = new Set<string>();
  const commands: CommandResult[] = snapshot.commands.map((command) => ({
    ...command,
    stdout: scrubCommandOutput(command.stdout, secrets),
    stderr: scrubUrls(command.stderr),
  }));
  const files = snapshot.files.map((file) => scrubFile(file, secrets));
  const env = Object.fromEntries(Object.entries(snapshot.context.env).map(([name, value]) => [name, scrubUrls(value)]));
  const scrubbed: Snapshot = { ...snapshot, context: { ...snapshot.context, env }, commands, files };
  if (secrets.size === 0) return scrubbed;
  return {
    ...scrubbed,
    commands: commands.map((command) => ({
      ...command,
      stdout: removeEverywhere(command.stdout, secrets),
      stderr: removeEverywhere(command.stderr, secrets),
    })),
    files: files.map((file) => (file.ok ? { ...file, content: removeEverywhere(file.content, secrets) } : file)),
  };
}
