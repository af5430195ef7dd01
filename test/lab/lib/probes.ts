import type { Engine } from './engine.js';
import { LabError, brief, clip, firstMeaningfulLine, output, type RunResult } from './exec.js';
import { EXT_IP, EXT_URL } from './paths.js';

/**
 * Bounded probes between real containers. Each one is limited twice: `timeout N` inside the container and the
 * command timeout outside. Lookups always name the server (`nslookup -type=a NAME SERVER`): without one, or
 * for AAAA, a lookup the lab's servers cannot answer would fall through to the host's real resolver.
 * Targets are container addresses and the fake outside host 198.51.100.2 only.
 */
export interface ProbeResult {
  ok: boolean;
  /** What was seen, short. */
  detail: string;
  raw: RunResult;
}

/** The A record in busybox nslookup output, after the "Name:" line (the first Address line is the server's). */
export function parseLookup(text: string): string | undefined {
  const lines = text.split('\n');
  const nameIndex = lines.findIndex((line) => /^Name:/.test(line.trim()));
  if (nameIndex < 0) return undefined;
  for (const line of lines.slice(nameIndex + 1)) {
    const match = /^Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line.trim());
    if (match) return match[1];
  }
  return undefined;
}

export async function lookup(
  engine: Engine,
  from: string,
  name: string,
  server: string,
  seconds = 4,
): Promise<ProbeResult & { address?: string }> {
  const raw = await engine.exec(
    from,
    ['timeout', String(seconds), 'nslookup', '-type=a', name, server],
    (seconds + 10) * 1000,
  );
  const address = raw.exitCode === 0 ? parseLookup(raw.stdout) : undefined;
  const detail = address
    ? `${from} resolved ${name} via ${server} to ${address}`
    : `${from} could not resolve ${name} via ${server} (${raw.exitCode === 143 || raw.exitCode === 124 ? 'no answer in time' : clip(firstMeaningfulLine(output(raw)) || `exit ${raw.exitCode}`, 60)})`;
  return address ? { ok: true, detail, raw, address } : { ok: false, detail, raw };
}

/** Proves that `from` resolves `name` via `server` to `address` (its current one, not a stale record); its detail. */
export async function expectResolvesTo(
  engine: Engine,
  from: string,
  name: string,
  server: string,
  address: string,
): Promise<string> {
  const found = await lookup(engine, from, name, server);
  expectProbe(found, 'pass');
  if (found.address !== address) throw new LabError(`resolved to ${found.address}, not ${address}`);
  return found.detail;
}

/** busybox wget, bounded with `timeout` (its own -T segfaults on Debian's busybox-static). */
export async function http(
  engine: Engine,
  from: string,
  url: string,
  expect = 'ok',
  seconds = 4,
): Promise<ProbeResult> {
  const raw = await engine.exec(from, ['timeout', String(seconds), 'wget', '-q', '-O-', url], (seconds + 10) * 1000);
  const body = raw.stdout.trim();
  const passed = raw.exitCode === 0 && body === expect;
  const why =
    raw.exitCode === 143 || raw.exitCode === 124
      ? `no answer in ${seconds} s`
      : clip(firstMeaningfulLine(output(raw)) || `exit ${raw.exitCode}`, 60);
  return { ok: passed, detail: passed ? `${from} got ${url}` : `${from} could not get ${url} (${why})`, raw };
}

export function egress(engine: Engine, from: string): Promise<ProbeResult> {
  return http(engine, from, EXT_URL);
}

export async function ping(engine: Engine, from: string, target = EXT_IP, count = 1): Promise<ProbeResult> {
  const raw = await engine.exec(from, ['ping', '-c', String(count), '-W', '2', target], (count * 3 + 10) * 1000);
  const text = output(raw);
  const passed = raw.exitCode === 0 && / 0% packet loss/.test(text);
  const why = /permission denied/i.test(text)
    ? 'ping: permission denied (are you root?)'
    : /100% packet loss/.test(text)
      ? '100% packet loss'
      : clip(firstMeaningfulLine(text) || `exit ${raw.exitCode}`, 60);
  return { ok: passed, detail: passed ? `${from} pinged ${target}` : `${from} ping ${target}: ${why}`, raw };
}

/** The nameservers in a container's resolv.conf. */
export async function nameservers(engine: Engine, from: string): Promise<string[]> {
  const raw = await engine.exec(from, ['cat', '/etc/resolv.conf']);
  if (raw.exitCode !== 0) throw new LabError(`cannot read ${from}'s resolv.conf (${brief(raw)})`);
  return raw.stdout
    .split('\n')
    .map((line) => /^nameserver\s+(\S+)/.exec(line.trim())?.[1])
    .filter((server): server is string => server !== undefined);
}

/** Asserts a probe's outcome: a healthy path must pass, a broken one must fail. Returns its detail. */
export function expectProbe(result: ProbeResult, wanted: 'pass' | 'fail'): string {
  if (result.ok !== (wanted === 'pass')) {
    throw new LabError(
      `expected ${wanted === 'pass' ? 'success' : 'failure'}: ${result.detail}${result.ok ? '' : ` [${brief(result.raw, 200)}]`}`,
    );
  }
  return result.detail;
}

/** A command that must fail with a given error text (e.g. `podman run` without a helper binary). */
export function expectFailure(result: RunResult, pattern: RegExp, what: string): string {
  const text = output(result);
  if (result.exitCode === 0) throw new LabError(`${what} succeeded, but it should fail with ${pattern}`);
  const match = pattern.exec(text);
  if (!match) throw new LabError(`${what} failed differently than expected (${pattern}): ${brief(result, 300)}`);
  return `${what} failed: "${clip(match[0], 90)}"`;
}
