/**
 * What the firewall scenarios share. The lab's HostGuard knows sysctls, files and binaries but not netfilter
 * rules, so each firewall change here comes with its exact undo: a table of the lab's own (`inet ndfw`) that is
 * deleted whole, or an iptables chain saved before and written back rule by rule.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { LabError, baseEnv, brief, ok, run } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { identityEnv } from '../lib/netdoctor.js';
import { EXT_IP, NETDOCTOR, ROOT } from '../lib/paths.js';
import type { ProbeResult } from '../lib/probes.js';

/** The checks whose findings the firewall scenarios prove, recorded alone (--only) in their snapshots. */
export const FIREWALL_CHECK_IDS = [
  'docker.docker-user',
  'fw.br-netfilter-forward',
  'fw.engine-rules',
  'fw.foreign-forward',
  'fw.input-dns',
  'fw.iptables-backend',
  'mixed.docker-forward-podman-ingress',
];

/** The lab's own nftables table: everything a scenario adds to nftables lives in it. */
export const LAB_TABLE = 'inet ndfw';
/** The host's address on the link to the fake outside host (ndup; ndext routes everything through it). */
export const HOST_ON_OUTSIDE_LINK = '198.51.100.1';

/** Loads nft commands (one per line, in `nft -f` syntax) in one transaction. */
export async function nft(lab: Lab, script: string): Promise<void> {
  const result = await run(['nft', '-f', '-'], { input: `${script}\n`, timeoutMs: 15_000, env: baseEnv() });
  if (!ok(result)) throw new LabError(`${lab.scenario.name}: nft -f failed (${brief(result, 300)}) for:\n${script}`);
}

/** Removes the lab's table, if it exists. */
export async function dropLabTable(lab: Lab): Promise<void> {
  const listed = await lab.root(['nft', 'list', 'table', ...LAB_TABLE.split(' ')]);
  if (ok(listed)) await lab.mustRoot(['nft', 'delete', 'table', ...LAB_TABLE.split(' ')]);
}

/** `iptables -S CHAIN` of the filter table: the chain's rules as commands. */
export async function saveChain(lab: Lab, chain: string): Promise<string[]> {
  const listed = await lab.mustRoot(['iptables', '-w', '5', '-S', chain]);
  return listed.split('\n').filter((line) => line.startsWith(`-A ${chain} `));
}

/** Writes a chain back to what saveChain saw: flushed, then every saved rule appended in order. */
export async function restoreChain(lab: Lab, chain: string, saved: string[]): Promise<void> {
  await lab.mustRoot(['iptables', '-w', '5', '-F', chain]);
  for (const rule of saved) await lab.mustRoot(['iptables', '-w', '5', ...splitWords(rule)]);
}

/** Splits an `iptables -S` line into arguments; double quotes group words (comments). */
export function splitWords(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) =>
    match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!,
  );
}

/** A request from the fake outside host (netns ndext) to a port the host publishes, bounded. */
export async function fromOutside(port: number, seconds = 4): Promise<ProbeResult> {
  const url = `http://${HOST_ON_OUTSIDE_LINK}:${port}/ok`;
  const raw = await run(
    ['ip', 'netns', 'exec', 'ndext', 'timeout', String(seconds), 'busybox', 'wget', '-q', '-O-', url],
    { timeoutMs: (seconds + 10) * 1000, env: baseEnv() },
  );
  const passed = raw.exitCode === 0 && raw.stdout.trim() === 'ok';
  return {
    ok: passed,
    detail: passed
      ? `${EXT_IP} (ndext) got ${url}`
      : `${EXT_IP} (ndext) could not get ${url} (${raw.exitCode === 124 || raw.exitCode === 143 ? `no answer in ${seconds} s` : brief(raw, 80)})`,
    raw,
  };
}

/** The same port from the host itself: that traffic is translated in OUTPUT and never crosses the forward hook. */
export async function fromHost(port: number, seconds = 4): Promise<ProbeResult> {
  const url = `http://${HOST_ON_OUTSIDE_LINK}:${port}/ok`;
  const raw = await run(['timeout', String(seconds), 'busybox', 'wget', '-q', '-O-', url], {
    timeoutMs: (seconds + 10) * 1000,
    env: baseEnv(),
  });
  const passed = raw.exitCode === 0 && raw.stdout.trim() === 'ok';
  return {
    ok: passed,
    detail: passed ? `the host got ${url}` : `the host could not get ${url} (${brief(raw, 80)})`,
    raw,
  };
}

/** Where `lab:record` puts the firewall checks' snapshots: the firewall checks' tables in test/checks replay them. */
export const FIREWALL_SNAPSHOTS = `${ROOT}/test/fixtures/rulesets/lab`;

/**
 * In record mode (or with NETDOCTOR_LAB_RECORD_FIREWALL=1 in a plain run), records a netdoctor run limited to the
 * firewall checks in this state, beside the harness's own recording. Returns `proof` unchanged.
 */
export async function recordFirewall(lab: Lab, state: 'broken' | 'fixed', proof: string): Promise<string> {
  if (!lab.options.record && process.env.NETDOCTOR_LAB_RECORD_FIREWALL !== '1') return proof;
  await mkdir(FIREWALL_SNAPSHOTS, { recursive: true });
  const base = `${FIREWALL_SNAPSHOTS}/${lab.scenario.name}.${state}`;
  const only = FIREWALL_CHECK_IDS.join(',');
  const result = await run(
    [...lab.hostPrefix(), process.execPath, NETDOCTOR, '--json', '--record', `${base}.json`, '--only', only],
    { timeoutMs: 120_000, env: identityEnv(lab.scenario.identity, lab.env()) },
  );
  if (result.exitCode === null || result.exitCode > 2)
    throw new LabError(`netdoctor --record failed (${brief(result, 300)})`);
  await writeFile(`${base}.report.json`, result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`);
  return proof;
}
