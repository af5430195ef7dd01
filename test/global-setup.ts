import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Builds the bundled CLI once before any test file runs: the tests that run bin/netdoctor as a process (and compare
 * the single executable with it) then run the code as it is, and no test file rebuilds it under another's feet.
 */
export default function setup(): void {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit', timeout: 120_000 });
}
