/**
 * What the `netdoctor why` scenarios share. Each builds a pair <prefix>-web (the client, A) and <prefix>-db
 * (B, serving /ok on port 80 unless the scenario says otherwise), always B first: netavark's bridge takes the
 * lowest MAC of its ports, so a container started after A can change the gateway's MAC under A's neighbour
 * cache and stall A's DNS for about 30 s (test/lab/env/README.md).
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../../../src/core/types.js';
import type { Report } from '../../../src/core/report.js';
import { aardvarkDir } from '../lib/aardvark.js';
import type { Engine } from '../lib/engine.js';
import { LabError, waitFor } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { loadScale, stretchedNetdoctorLimits } from '../lib/load.js';
import { runNetdoctor } from '../lib/netdoctor.js';
import { expectProbe, http, lookup, type ProbeResult } from '../lib/probes.js';
import { dnsServer } from '../lib/traffic.js';

export function web(prefix: string): string {
  return `${prefix}-web`;
}

export function db(prefix: string): string {
  return `${prefix}-db`;
}

/** `netdoctor why <prefix>-web <prefix>-db [extra...]`. */
export function whyCommand(prefix: string, ...extra: string[]): () => string[] {
  return () => ['why', web(prefix), db(prefix), ...extra];
}

/**
 * A scenario before this one may have ended its aardvark-dns. Until PID 1 reaps it (every few seconds here),
 * netavark takes the zombie for a running server and only signals it, and the new network gets no DNS.
 */
export async function aardvarkReaped(engine: Engine): Promise<void> {
  const dir = await aardvarkDir(engine.kind);
  if (dir === undefined) return;
  await waitFor(
    'the last aardvark-dns to be reaped',
    async () => {
      const pid = (await readFile(`${dir}/aardvark.pid`, 'utf8').catch(() => '')).trim();
      const status = pid === '' ? '' : await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      return /^State:\s+Z/m.test(status) ? undefined : true;
    },
    { attempts: 80, intervalMs: 250 },
  );
}

/** Starts B (serving /ok on port 80 by default), then A, with the same options. */
export async function startPair(
  engine: Engine,
  prefix: string,
  options: string[],
  dbCommand?: string[],
): Promise<void> {
  await aardvarkReaped(engine);
  if (dbCommand === undefined) await engine.startWeb(db(prefix), options);
  else await engine.start(db(prefix), options, dbCommand);
  await engine.start(web(prefix), options);
}

/** A fetches B's /ok by B's address on `network`. */
export async function byAddress(engine: Engine, prefix: string, network: string): Promise<ProbeResult> {
  return http(engine, web(prefix), `http://${await engine.ip(db(prefix), network)}/ok`);
}

/** A resolves B's name through the DNS server of `network`, and fetches /ok by that name. */
export async function byName(engine: Engine, prefix: string, network: string): Promise<string> {
  const server = await dnsServer(engine, network);
  const resolved = expectProbe(await lookup(engine, web(prefix), db(prefix), server), 'pass');
  const fetched = expectProbe(await http(engine, web(prefix), `http://${db(prefix)}/ok`), 'pass');
  return `${resolved}; ${fetched}`;
}

/** The verdict of the scenario's last `why` run, with its exit code and time, for the summary line. */
export function lastVerdict(lab: Lab): string {
  const last = lab.runs.at(-1);
  if (last === undefined) return 'netdoctor why did not run';
  return `why said "${last.report.pair?.verdict.sentence ?? 'no pair section'}" (exit ${last.exitCode}, ${(last.durationMs / 1000).toFixed(1)} s)`;
}

/** The proof after the fix, with the verdict netdoctor gave before it. */
export async function provedFixed(lab: Lab, proof: Promise<string>): Promise<string> {
  const before = lastVerdict(lab);
  return `${await proof}; before the fix ${before}`;
}

/** After the fix, `why` must find B reachable and none of the expected findings may be left. */
export function reachableNow(report: Report, _lab: Lab, stillThere: Finding[]): string | undefined {
  if (stillThere.length > 0)
    return `still reported after the fix: ${stillThere.map((finding) => `${finding.id} (${finding.title})`).join('; ')}`;
  const verdict = report.pair?.verdict;
  if (verdict?.outcome !== 'reachable') return `after the fix, why says: ${verdict?.sentence ?? 'no pair section'}`;
  return undefined;
}

/** Runs `why` as the scenario's identity outside the harness's own run (for a baseline, which has no expectations). */
export async function whyReachable(lab: Lab, command: string[]): Promise<string> {
  // As in the harness's own run: on a loaded host podman alone can outlast why's limits, made for a quiet one.
  const stretched = [...command, ...stretchedNetdoctorLimits(command, loadScale())];
  const outcome = await runNetdoctor(lab.scenario.identity, { ...lab.netdoctorPlace(), command: stretched });
  const verdict = outcome.report.pair?.verdict;
  const reachable = outcome.report.findings.some((finding) => finding.id === 'pair.reachable');
  if (verdict?.outcome !== 'reachable' || outcome.exitCode !== 0 || !reachable) {
    throw new LabError(
      `netdoctor ${command.join(' ')} (exit ${outcome.exitCode}): ${verdict?.sentence ?? 'no pair section'}`,
    );
  }
  return `why said "${verdict.sentence}" (exit 0, ${(outcome.durationMs / 1000).toFixed(1)} s)`;
}
