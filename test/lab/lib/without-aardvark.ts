import type { Engine } from './engine.js';
import { LabError, brief, ok } from './exec.js';

/**
 * `podman rm -f` of containers that started while podman could not run aardvark-dns (it only warned). On
 * generation 2 netavark 1.14 then fails their network teardown with "remove aardvark entries: IO error: No such
 * file or directory" (the records folder was never made) and podman exits 125, yet the containers are gone.
 * That case returns what happened; any other failure, or a container still there, throws.
 */
export async function removeStartedWithoutAardvark(engine: Engine, ...names: string[]): Promise<string | undefined> {
  const result = await engine.cmd(['rm', '-f', '-t', '0', ...names]);
  if (ok(result)) return undefined;
  const teardown = /netavark: remove aardvark entries: IO error[^\n]*/.exec(result.stderr)?.[0];
  const left = await engine.existing('ps', names);
  if (teardown === undefined || left.length > 0)
    throw new LabError(`${engine.label}: rm ${names.join(' ')} failed (${brief(result, 300)})`);
  return `\`podman rm\` exited ${result.exitCode} ("${teardown}") but removed ${names.join(', ')}`;
}
