import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import icc from '../checks/docker/icc.js';
import { Facts } from '../src/core/facts.js';
import { shellLine, writeFileLine } from '../src/core/shell.js';
import { parseSnapshot, type Snapshot } from '../src/host/snapshot.js';
import { runChecks } from '../src/pipeline/runner.js';
import { FakeHost } from './helpers/fake-host.js';
import { validateSnapshot } from './helpers/snapshot.js';

/**
 * Names on a host are data: a docker network may be called `x; echo PWNED >&2`. The payloads only print, so that a
 * quoting mistake shows as output on stderr, never as harm.
 */
const HOSTILE = ['x; echo PWNED >&2', "it's $(echo PWNED >&2)", '`echo PWNED >&2` -rf'];

/** How bash splits a command line: the arguments, one per NUL-terminated field, and what bash printed on stderr. */
function bashWords(line: string): { words: string[]; stderr: string } {
  const script = 'set -f; eval "set -- $1"; printf "%s\\0" "$@"';
  try {
    const stdout = execFileSync('bash', ['-c', script, 'bash', line], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { words: stdout.split('\0').slice(0, -1), stderr: '' };
  } catch (error) {
    return { words: [], stderr: String((error as { stderr?: string }).stderr) };
  }
}

/** The snapshot with every string value's `from` replaced by `to`, as if the host had named things so. */
function renamed(snapshot: Snapshot, from: string, to: string): Snapshot {
  return JSON.parse(JSON.stringify(snapshot), (_key, value: unknown) =>
    typeof value === 'string' ? value.split(from).join(to) : value,
  ) as Snapshot;
}

describe('shellLine', () => {
  it.each([...HOSTILE, '', '-n', 'two words', "'", '"quoted"', 'tab\there', 'new\nline', '\u001b]0;title\u0007'])(
    'quotes %j so that bash reads it back as one argument',
    (arg) => {
      expect(bashWords(shellLine(['docker', 'network', 'rm', arg]))).toEqual({
        words: ['docker', 'network', 'rm', arg],
        stderr: '',
      });
    },
  );

  it('writes a file whose lines hold printf and shell specials exactly', () => {
    const line = writeFileLine('/tmp/x', ['100% of \\n', "it's $(x)"]);
    expect(line).toBe("printf '%s\\n' '100% of \\n' 'it'\\''s $(x)' > /tmp/x");
  });
});

describe('fix commands on a host whose names are hostile', () => {
  const path = new URL('./fixtures/snapshots/lab/docker-icc-off.broken.json', import.meta.url);
  const recorded = parseSnapshot(readFileSync(path, 'utf8'), path.pathname, validateSnapshot);

  it.each(HOSTILE)('name a docker network %j exactly, in commands a shell parses back to it', async (name) => {
    const host = new FakeHost({ snapshot: renamed(recorded, 'ndl-p2icc', name) });
    const results = await runChecks([icc], { host, facts: new Facts(host) });
    const finding = results.flatMap((result) => result.findings).find((item) => item.id === 'docker.icc_disabled');
    expect(finding?.subject.network).toBe(name);
    const naming = finding!.fix.commands.filter((command) => command.includes('PWNED'));
    expect(naming.length).toBeGreaterThan(3);
    for (const command of naming) {
      const { words, stderr } = bashWords(command);
      expect(stderr).toBe('');
      expect(words).toContain(name);
    }
  });
});
