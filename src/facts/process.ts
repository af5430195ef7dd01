import { commandLine } from '../core/host.js';
import type { Scope } from '../core/types.js';
import { defineFact } from '../core/facts.js';
import { describeError, type Readable } from './files.js';

export const CAP_NET_RAW_BIT = 13n;

export interface ProcessStatus {
  /** Effective capability set. */
  capEff: bigint;
  effectiveGid: number;
  groups: number[];
  /** The lines read, for evidence. */
  excerpt: string;
}

export function parseProcessStatus(content: string): ProcessStatus {
  const fields = new Map<string, string>();
  for (const line of content.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const capEff = fields.get('CapEff');
  const gid = fields.get('Gid');
  if (capEff === undefined || gid === undefined) throw new Error('no CapEff or Gid line');
  const groups = (fields.get('Groups') ?? '').split(/\s+/).filter((item) => item !== '').map(Number);
  return {
    capEff: BigInt(`0x${capEff}`),
    effectiveGid: Number(gid.split(/\s+/)[1] ?? gid.split(/\s+/)[0]),
    groups,
    excerpt: `CapEff: ${capEff}; Gid: ${gid}; Groups: ${groups.join(' ')}`,
  };
}

export function parseRange(raw: string): { low: number; high: number } | undefined {
  const [low, high] = raw.trim().split(/\s+/).map(Number);
  return low === undefined || high === undefined || Number.isNaN(low) || Number.isNaN(high) ? undefined : { low, high };
}

/** Rootless containers are seen through the user's namespace, so their ids and sysctls are read through `podman unshare`. */
function inContainerView(scope: Scope, argv: string[]): string[] {
  return scope === 'rootless' ? ['podman', 'unshare', ...argv] : argv;
}

export function processStatus(pid: number, scope: Scope) {
  return defineFact<Readable<ProcessStatus>>(`process-status:${scope}:${pid}`, async ({ host }) => {
    let content: string;
    let source: string;
    if (scope === 'rootful') {
      const file = await host.readFile(`/proc/${pid}/status`);
      if (!file.ok) return { ok: false, code: file.error.code, reason: describeError(file.path, file.error) };
      content = file.content;
      source = file.path;
    } else {
      const result = await host.run(inContainerView(scope, ['cat', `/proc/${pid}/status`]));
      if (result.exitCode !== 0) return { ok: false, code: 'ECOMMAND', reason: `\`${commandLine(result.argv)}\` failed: ${result.error?.message ?? result.stderr.trim()}` };
      content = result.stdout;
      source = commandLine(result.argv);
    }
    try {
      return { ok: true, value: parseProcessStatus(content) };
    } catch (error) {
      return { ok: false, code: 'EPARSE', reason: `${source}: ${(error as Error).message}` };
    }
  });
}

export interface NetnsSysctl {
  raw: string;
  command: string;
}

/** A sysctl of a container's network namespace: /proc/sys/net always shows the reader's namespace, so read it from inside. */
export function containerNetnsSysctl(pid: number, scope: Scope, path: string) {
  return defineFact<Readable<NetnsSysctl>>(`netns-sysctl:${scope}:${pid}:${path}`, async ({ host }) => {
    const result = await host.run(inContainerView(scope, ['nsenter', `--target=${pid}`, '--net', 'cat', path]));
    const command = commandLine(result.argv);
    if (result.exitCode !== 0) {
      return { ok: false, code: 'ECOMMAND', reason: `\`${command}\` failed: ${result.error?.message ?? (result.stderr.trim() || `exit ${result.exitCode}`)}` };
    }
    return { ok: true, value: { raw: result.stdout.trim().replace(/\s+/g, ' '), command } };
  });
}
