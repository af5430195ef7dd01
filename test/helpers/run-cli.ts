import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { main } from '../../src/cli/main.js';

export class Capture extends Writable {
  text = '';

  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process; the environment is only what the test gives, never the developer's. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; tty?: boolean; columns?: number } = {},
): Promise<CliRun> {
  const stdout = new Capture(options.tty === true, options.columns ?? 100);
  const stderr = new Capture(false);
  const code = await main(args, { stdout, stderr, env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A lab recording of a broken host: IPv4 forwarding off (and the netavark rules gone with it), two infos. */
export const BROKEN = fileURLToPath(
  new URL('../fixtures/snapshots/lab/ip-forward-sysctl.broken.json', import.meta.url),
);

/** Temporary folders, removed when the test file ends. */
export function temporaryFolders(): () => string {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  return () => {
    const folder = mkdtempSync(join(tmpdir(), 'netdoctor-test-'));
    folders.push(folder);
    return folder;
  };
}
