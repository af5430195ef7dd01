import type { Random } from './random.js';

/**
 * Texts a hostile or broken host can hand netdoctor: shell and terminal injection, option-like names, huge and
 * odd numbers, control characters, invalid UTF-16, JSON and ruleset syntax.
 */
export const HOSTILE_TEXTS = [
  '',
  ' ',
  'x; rm -rf /',
  '$(id)',
  '`id`',
  '-rf',
  '--',
  '\u001b]0;owned\u0007',
  '\u001b[2J\u001b[H',
  '\u0000',
  '\r\n',
  '\ud800',
  '😀',
  'ü'.repeat(40),
  '0',
  '-1',
  '4294967296',
  '99999999999999999999999',
  '1e308',
  'NaN',
  '0x',
  '::',
  '0.0.0.0/0',
  '10.89.0.0/33',
  '256.256.256.256',
  'fe80::1%eth0',
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  'null',
  ':',
  '=',
  '*filter',
  'COMMIT',
  '-A FORWARD -j DROP',
  ':FORWARD DROP [0:0]',
  'nameserver',
  'CONFIG_MODULES=y',
  '/',
  '../../../../etc/passwd',
];

const LINE_LIMIT = 20_000;
const CHAR_LIMIT = 8_000_000;

function lines(text: string): string[] {
  return text.split('\n');
}

function randomChar(random: Random): string {
  return random.weighted<() => string>([
    [4, () => String.fromCharCode(32 + random.int(95))],
    [1, () => String.fromCharCode(random.int(32))],
    [1, () => String.fromCharCode(0x80 + random.int(0x780))],
    [1, () => String.fromCharCode(0xd800 + random.int(0x800))],
  ])();
}

/** A text of about `size` characters, made of repeated lines of its own or of random characters. */
export function hugeText(random: Random, size: number, like: string): string {
  const sample = like.length > 0 ? lines(like)[random.int(lines(like).length)]! : '';
  const unit =
    sample.length > 0 && random.chance(0.6)
      ? `${sample}\n`
      : `${Array.from({ length: 64 }, () => randomChar(random)).join('')}`;
  return unit.repeat(Math.max(1, Math.ceil(size / unit.length)));
}

/** One random change to a text: characters, lines, tokens, or a splice of another text. */
export function mutateText(random: Random, text: string, donors: readonly string[]): string {
  const mutation = random.weighted<() => string>([
    [
      3,
      () => {
        // Flip, insert or delete a few characters.
        let result = text;
        for (let count = 1 + random.int(8); count > 0; count--) {
          const at = random.int(result.length + 1);
          const kind = random.int(3);
          if (kind === 0) result = `${result.slice(0, at)}${randomChar(random)}${result.slice(at + 1)}`;
          else if (kind === 1) result = `${result.slice(0, at)}${randomChar(random)}${result.slice(at)}`;
          else result = `${result.slice(0, at)}${result.slice(at + 1 + random.int(4))}`;
        }
        return result;
      },
    ],
    [2, () => text.slice(0, random.int(text.length + 1))],
    [
      2,
      () => {
        const all = lines(text);
        const at = random.int(all.length);
        all.splice(at, 1 + random.int(3));
        return all.join('\n');
      },
    ],
    [
      2,
      () => {
        const all = lines(text);
        const line = all[random.int(all.length)] ?? '';
        const wanted = random.chance(0.2) ? 200 + random.int(2000) : 2 + random.int(5);
        // A line that earlier mutations made megabytes long, copied a thousand times, would not fit in a string.
        const copies = Math.min(wanted, Math.floor(CHAR_LIMIT / (line.length + 1)));
        all.splice(random.int(all.length + 1), 0, ...Array.from({ length: copies }, () => line));
        return all.slice(0, LINE_LIMIT).join('\n');
      },
    ],
    [
      1,
      () => {
        const all = lines(text);
        for (let index = all.length - 1; index > 0; index--) {
          const other = random.int(index + 1);
          [all[index], all[other]] = [all[other]!, all[index]!];
        }
        return all.join('\n');
      },
    ],
    [
      4,
      () => {
        // Replace a token (a word, a number, an address) with a hostile one.
        const tokens = [...text.matchAll(/[A-Za-z0-9_.:/-]+/g)];
        if (tokens.length === 0) return `${text}${random.pick(HOSTILE_TEXTS)}`;
        const token = random.pick(tokens);
        const at = token.index;
        return `${text.slice(0, at)}${random.pick(HOSTILE_TEXTS)}${text.slice(at + token[0].length)}`;
      },
    ],
    [
      2,
      () => {
        const all = lines(text);
        all.splice(random.int(all.length + 1), 0, random.pick(HOSTILE_TEXTS));
        return all.join('\n');
      },
    ],
    [
      1,
      () => {
        const donor = donors.length > 0 ? random.pick(donors) : '';
        const from = random.int(donor.length + 1);
        const piece = donor.slice(from, from + random.int(2000));
        const at = random.int(text.length + 1);
        return `${text.slice(0, at)}${piece}${text.slice(at)}`;
      },
    ],
  ]);
  return mutation();
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every place in a JSON value, as a path of keys and indexes. */
function places(value: Json, path: (string | number)[] = [], found: (string | number)[][] = []): (string | number)[][] {
  if (found.length > 5000) return found;
  found.push(path);
  if (Array.isArray(value)) value.forEach((item, index) => places(item, [...path, index], found));
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) places(item, [...path, key], found);
  return found;
}

function at(value: Json, path: (string | number)[]): Json {
  let current: Json = value;
  for (const key of path) current = (current as Record<string | number, Json>)[key]!;
  return current;
}

function otherValue(random: Random, current: Json): Json {
  return random.weighted<() => Json>([
    [3, () => random.pick(HOSTILE_TEXTS)],
    [1, () => random.pick([0, -1, 1, 65535, 65536, 2 ** 31, 2 ** 53, -(2 ** 53), 1.5, 1e308])],
    [1, () => null],
    [1, () => random.chance(0.5)],
    [1, () => []],
    [1, () => ({})],
    [1, () => [current, current]],
    [1, () => (typeof current === 'string' ? `${current}${random.pick(HOSTILE_TEXTS)}` : String(current))],
  ])();
}

/** One random change to a JSON value: a value replaced, a key removed, an item duplicated or removed. */
export function mutateJson(random: Random, value: Json): Json {
  const copy = structuredClone(value);
  const all = places(copy);
  const path = random.pick(all);
  if (path.length === 0) return otherValue(random, copy);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path.at(-1)!;
  const current = at(copy, path);
  const kind = random.int(4);
  if (kind === 0 && Array.isArray(parent)) parent.splice(key as number, 1);
  else if (kind === 0 && isObject(parent as Json)) delete (parent as Record<string, Json>)[key];
  else if (kind === 1 && Array.isArray(parent)) {
    const copies = random.chance(0.1) ? 50 + random.int(200) : 1;
    parent.splice(key as number, 0, ...Array.from({ length: copies }, () => structuredClone(current)));
  } else (parent as Record<string | number, Json>)[key] = otherValue(random, current);
  return copy;
}

/** A text mutated as JSON when it is JSON (so that it parses and reaches the code behind the parser), else as text. */
export function mutateOutput(random: Random, text: string, donors: readonly string[]): string {
  if (random.chance(0.7)) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        let value = JSON.parse(trimmed) as Json;
        for (let count = 1 + random.int(3); count > 0; count--) value = mutateJson(random, value);
        return JSON.stringify(value, null, random.chance(0.5) ? 2 : undefined);
      } catch {
        // Not JSON after all: mutate it as text.
      }
    }
  }
  return mutateText(random, text, donors);
}
