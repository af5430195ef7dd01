/**
 * Runs inside the lab guest (test/lab/env/guest/init.sh starts it): executes the host's requests from the job
 * folder, bounded like every lab command, until the host asks it to power off. Every loop is bounded: the
 * agent gives up after an hour, whatever happens.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { run, sleep } from './lib/exec.js';
import {
  POWEROFF_FILE,
  READY_FILE,
  requestFile,
  resultFile,
  writeAtomically,
  type GuestRequest,
  type GuestResult,
} from './lib/guest-protocol.js';

const POLL_MS = 50;
const LIFETIME_MS = 3_600_000;

async function serve(job: string): Promise<void> {
  const started = Date.now();
  const taken = new Set<string>();
  await writeFile(`${job}/${READY_FILE}`, `${process.pid}\n`);
  while (Date.now() - started < LIFETIME_MS) {
    const names = await readdir(job);
    if (names.includes(POWEROFF_FILE)) return;
    for (const name of names) {
      const id = name.endsWith('.request.json') ? name.slice(0, -'.request.json'.length) : undefined;
      if (id === undefined || taken.has(id)) continue;
      taken.add(id);
      void answer(job, id).catch((error: unknown) => console.error(`guest-agent: ${id}: ${(error as Error).message}`));
    }
    await sleep(POLL_MS);
  }
}

/** Answers one request; a request it cannot read is answered too (a failed result), so that no client waits in vain. */
async function answer(job: string, id: string): Promise<void> {
  let result: GuestResult;
  try {
    const request = JSON.parse(await readFile(`${job}/${requestFile(id)}`, 'utf8')) as GuestRequest;
    result = await run(request.argv, { env: request.env, timeoutMs: request.timeoutMs });
  } catch (error) {
    result = {
      argv: [],
      exitCode: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      durationMs: 0,
      spawnError: `the agent could not read the request: ${(error as Error).message}`,
    };
  }
  await writeAtomically(`${job}/${resultFile(id)}`, result);
  await rm(`${job}/${requestFile(id)}`, { force: true });
}

const job = process.argv[2];
if (job === undefined) {
  console.error('usage: guest-agent JOB_FOLDER');
  process.exit(2);
}
await serve(job);
