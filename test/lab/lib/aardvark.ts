import { readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import type { EngineKind } from './engine-kind.js';
import { ndlabUid } from './netdoctor.js';
import { LAB_PREFIX } from './paths.js';

/** Where netavark keeps aardvark-dns' per-network records and its pid file, rootful and for ndlab. */
export async function aardvarkDir(kind: EngineKind): Promise<string | undefined> {
  if (kind === 'podman') return '/run/containers/networks/aardvark-dns';
  if (kind === 'rootless') return `/run/user/${await ndlabUid()}/containers/networks/aardvark-dns`;
  return undefined;
}

/** The aardvark-dns process of that scope, when one runs (not a zombie), and the networks it serves. */
export async function aardvarkRunning(dir: string): Promise<{ pid: number; networks: string[] } | undefined> {
  const pid = Number((await readFile(`${dir}/aardvark.pid`, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const [comm, status] = await Promise.all([
    readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
  ]);
  if (comm.trim() !== 'aardvark-dns' || /^State:\s+Z/m.test(status)) return undefined;
  const networks = (await readdir(dir).catch(() => [] as string[])).filter((entry) => entry !== 'aardvark.pid');
  return { pid, networks };
}

/**
 * netavark keeps one file of records per network in the aardvark-dns folder and ends aardvark-dns when the
 * last file goes. A container whose start failed while aardvark-dns could not be run leaves its record behind,
 * and neither `podman rm` nor `podman network rm` removes it: the file outlives the network, aardvark-dns never
 * exits, and (rootless) it stays in the rootless network namespace podman tears down after the last container.
 * The next rootless DNS network gets a new namespace, netavark only signals the old aardvark-dns, and names no
 * longer resolve there ("Connection refused" from the gateway). So after a scenario: the files of the lab's own
 * networks (ndl-*) that no longer exist are removed, and an aardvark-dns this scenario started (not in `before`) that
 * is
 * left serving no existing network is ended, by its pid.
 */
export async function sweepAardvark(
  kind: EngineKind,
  existing: string[],
  before: ReadonlySet<number>,
): Promise<string[]> {
  const dir = await aardvarkDir(kind);
  if (dir === undefined) return [];
  const done: string[] = [];
  const files = (await readdir(dir).catch(() => [] as string[])).filter((entry) => entry !== 'aardvark.pid');
  for (const file of files.filter((name) => name.startsWith(LAB_PREFIX) && !existing.includes(name))) {
    await rm(`${dir}/${file}`, { force: true });
    done.push(`records of the removed network ${file} (${dir}/${file})`);
  }
  const running = await aardvarkRunning(dir);
  if (
    running !== undefined &&
    !before.has(running.pid) &&
    !running.networks.some((network) => existing.includes(network))
  ) {
    process.kill(running.pid, 'SIGTERM');
    done.push(`aardvark-dns ${running.pid}, started for this scenario and left serving no network`);
  } else if (running !== undefined && done.length > 0) {
    process.kill(running.pid, 'SIGHUP');
  }
  return done;
}

/** The aardvark-dns processes running now (rootful and ndlab's), by pid. */
export async function aardvarkPids(): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const kind of ['podman', 'rootless'] as EngineKind[]) {
    const running = await aardvarkRunning((await aardvarkDir(kind))!);
    if (running !== undefined) pids.add(running.pid);
  }
  return pids;
}

/**
 * ndlab's aardvark-dns living in a network namespace that is no longer the rootless one (podman tore it down,
 * the process stayed: see sweepAardvark). Until it ends, no rootless DNS network resolves names. The lab did not
 * start it, so it only says what to do.
 */
export async function orphanedRootlessAardvark(): Promise<string | undefined> {
  const dir = (await aardvarkDir('rootless'))!;
  const running = await aardvarkRunning(dir);
  if (running === undefined) return undefined;
  const netnsDir = `/run/user/${await ndlabUid()}/netns`;
  const own = await readlink(`/proc/${running.pid}/ns/net`).catch(() => '');
  const current = await Promise.all(
    (await readdir(netnsDir).catch(() => [] as string[]))
      .filter((name) => name.startsWith('rootless-netns'))
      .map((name) =>
        stat(`${netnsDir}/${name}`).then(
          (info) => `net:[${info.ino}]`,
          () => '',
        ),
      ),
  );
  if (current.includes(own)) return undefined;
  return `ndlab's aardvark-dns (pid ${running.pid}) lives in a network namespace that is no longer the rootless one (records: ${running.networks.join(', ') || 'none'} in ${dir}), so no rootless network resolves names: remove the records of networks that no longer exist and end it (kill ${running.pid})`;
}

/** Removes one container's records from a network's aardvark file (and has a running aardvark-dns reload it). */
export async function removeAardvarkRecords(kind: EngineKind, network: string, containerId: string): Promise<number> {
  const dir = await aardvarkDir(kind);
  if (dir === undefined) return 0;
  const path = `${dir}/${network}`;
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  const lines = text.split('\n');
  const kept = lines.filter((line) => !line.startsWith(`${containerId} `));
  if (kept.length === lines.length) return 0;
  await writeFile(path, kept.join('\n'));
  const running = await aardvarkRunning(dir);
  if (running !== undefined) process.kill(running.pid, 'SIGHUP');
  return lines.length - kept.length;
}
