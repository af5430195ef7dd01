import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shellLine } from '../../src/core/shell.js';
import { BROKEN, temporaryFolders } from '../helpers/run-cli.js';

// netdoctor on a real pseudo-terminal (util-linux `script`), as a person runs it: the spinner's terminal cases.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ESC = String.fromCharCode(27);
const HIDE_CURSOR = `${ESC}[?25l`;
const SHOW_CURSOR = `${ESC}[?25h`;
/** A foreground colour (ora paints its frames cyan, 36). */
const FOREGROUND = new RegExp(`${ESC}\\[3\\dm`);
const CYAN = `${ESC}[36m`;
const folder = temporaryFolders();

/** Runs netdoctor in `script` on a terminal of this many columns; CI is unset, as on a person's terminal. */
function onTerminal(columns: number, args: string[], env: Record<string, string> = {}) {
  const command = `stty cols ${columns} rows 40; exec ${shellLine([process.execPath, 'bin/netdoctor', ...args])}`;
  return execa('script', ['-qec', command, '/dev/null'], {
    cwd: REPO,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', ...env },
    timeout: 60_000,
  });
}

/** A plug-in check that writes netdoctor's pid to a file and then never finishes. */
function hangingPlugin(): { dir: string; pidFile: string } {
  const dir = folder();
  const pidFile = join(dir, 'pid');
  writeFileSync(
    join(dir, 'hangs.mjs'),
    `import { writeFileSync } from 'node:fs';
export default { id: 'site.hangs', title: 'hangs', findings: {}, docs: '', async run() {
  writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
  await new Promise(() => {});
} };\n`,
  );
  return { dir, pidFile };
}

async function pidOnceWritten(pidFile: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '') return Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the plug-in never ran');
}

describe('the spinner', () => {
  it('does not run on a terminal of 0 columns, and netdoctor ends by itself', async () => {
    const result = await onTerminal(0, ['--replay', BROKEN]);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Container networking is broken');
    expect(result.stdout).not.toContain(HIDE_CURSOR);
  }, 70_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    'stops on %s with the cursor shown again',
    async (signal, code) => {
      const { dir, pidFile } = hangingPlugin();
      const run = onTerminal(80, ['--replay', BROKEN, '--checks-dir', dir, '--timeout', '50']);
      process.kill(await pidOnceWritten(pidFile), signal);
      const result = await run;
      expect(result.exitCode).toBe(code);
      expect(result.stdout).toContain(HIDE_CURSOR);
      expect(result.stdout.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(result.stdout.lastIndexOf(HIDE_CURSOR));
    },
    70_000,
  );

  it.each([
    ['NO_COLOR is set', [], { NO_COLOR: '1' }],
    ['--color never', ['--color', 'never'], {}],
  ] as const)(
    'has no colour when %s',
    async (_when, args, env) => {
      const { dir, pidFile } = hangingPlugin();
      const run = onTerminal(80, ['--replay', BROKEN, '--checks-dir', dir, '--timeout', '50', ...args], env);
      const pid = await pidOnceWritten(pidFile);
      // Long enough for the spinner to draw a few frames (every 80 ms).
      await new Promise((resolve) => setTimeout(resolve, 400));
      process.kill(pid, 'SIGTERM');
      const result = await run;
      expect(result.stdout).toContain('diagnosing');
      expect(result.stdout).not.toMatch(FOREGROUND);
    },
    70_000,
  );

  it('is coloured on a terminal that allows it', async () => {
    const { dir, pidFile } = hangingPlugin();
    const run = onTerminal(80, ['--replay', BROKEN, '--checks-dir', dir, '--timeout', '50']);
    const pid = await pidOnceWritten(pidFile);
    await new Promise((resolve) => setTimeout(resolve, 400));
    process.kill(pid, 'SIGTERM');
    expect((await run).stdout).toContain(CYAN);
  }, 70_000);
});
