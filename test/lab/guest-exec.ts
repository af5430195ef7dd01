/**
 * `node guest-exec.js JOB_FOLDER -- ARGV...`: runs ARGV in the lab guest whose agent serves JOB_FOLDER, with this
 * process's environment, and passes on its output and exit code (125 when it did not exit by itself). A command
 * prefix like `nsenter --net=...`: the lab puts it before netdoctor, printed fixes and probes.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { sleep } from './lib/exec.js';
import { requestFile, resultFile, writeAtomically, type GuestRequest, type GuestResult } from './lib/guest-protocol.js';

/** The guest side's own limit; the host's run() around this client has a longer one. */
const GUEST_TIMEOUT_MS = 240_000;
const POLL_MS = 50;

const [job, separator, ...argv] = process.argv.slice(2);
if (job === undefined || separator !== '--' || argv.length === 0) {
  console.error('usage: guest-exec JOB_FOLDER -- ARGV...');
  process.exit(2);
}
const id = randomUUID();
const env = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);
await writeAtomically(`${job}/${requestFile(id)}`, { argv, env, timeoutMs: GUEST_TIMEOUT_MS } satisfies GuestRequest);
const deadline = Date.now() + GUEST_TIMEOUT_MS + 15_000;
let result: GuestResult | undefined;
while (result === undefined && Date.now() < deadline) {
  const text = await readFile(`${job}/${resultFile(id)}`, 'utf8').catch(() => undefined);
  if (text !== undefined) result = JSON.parse(text) as GuestResult;
  else await sleep(POLL_MS);
}
if (result === undefined) {
  console.error(`guest-exec: no answer from the guest in ${(GUEST_TIMEOUT_MS + 15_000) / 1000} s`);
  process.exit(125);
}
await rm(`${job}/${resultFile(id)}`, { force: true });
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
if (result.spawnError !== undefined) process.stderr.write(`guest-exec: ${result.spawnError}\n`);
process.exit(result.exitCode ?? 125);
