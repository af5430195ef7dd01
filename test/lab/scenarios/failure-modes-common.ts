/** What the scenarios of the failure-mode checks share: fake hosts of their own, pages, and host-side probes. */
import { LabError, brief, clip, firstMeaningfulLine, ok, output, sleep } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { LAB_PREFIX, LAB_STATE } from '../lib/paths.js';
import type { ProbeResult } from '../lib/probes.js';

/** The page setup.sh serves from ndext: GET /ok answers "ok". */
export const WWW = `${LAB_STATE}/www`;

export interface FakeHost {
  netns: string;
  /** The host's end of the veth, in the host's namespace. */
  hostIf: string;
  /** The other end, in the fake host's namespace. */
  peerIf: string;
  /** With their prefix length, e.g. 203.0.113.1/24. */
  hostAddress: string;
  peerAddress: string;
}

function bare(address: string): string {
  return address.split('/')[0]!;
}

/**
 * A fake machine in a network namespace of the scenario's own, on a veth to the host: the guard deletes both
 * (the namespace takes its end of the veth with it).
 */
export async function fakeHost(lab: Lab, host: FakeHost): Promise<void> {
  const v6 = host.hostAddress.includes(':');
  await lab.guard.addNetns(host.netns);
  await lab.hostGuard.addLink(host.hostIf, [
    'ip',
    'link',
    'add',
    host.hostIf,
    'type',
    'veth',
    'peer',
    'name',
    host.peerIf,
    'netns',
    host.netns,
  ]);
  const nodad = v6 ? ['nodad'] : [];
  await lab.mustRoot(['ip', 'addr', 'add', host.hostAddress, 'dev', host.hostIf, ...nodad]);
  await lab.mustRoot(['ip', '-n', host.netns, 'addr', 'add', host.peerAddress, 'dev', host.peerIf, ...nodad]);
  await lab.mustRoot(['ip', 'link', 'set', host.hostIf, 'up']);
  await lab.mustRoot(['ip', '-n', host.netns, 'link', 'set', host.peerIf, 'up']);
  await lab.mustRoot(['ip', '-n', host.netns, 'link', 'set', 'lo', 'up']);
}

/** busybox httpd serving WWW on ADDRESS:80 in a namespace, for at most 10 minutes; the guard ends it. */
export async function serveOk(lab: Lab, netns: string | undefined, address: string, port = 80): Promise<number> {
  const listen = address.includes(':') ? `[${bare(address)}]:${port}` : `${bare(address)}:${port}`;
  const inNetns = netns === undefined ? [] : ['ip', 'netns', 'exec', netns];
  const pid = await lab.hostGuard.spawn([
    'timeout',
    '600',
    ...inNetns,
    'busybox',
    'httpd',
    '-f',
    '-p',
    listen,
    '-h',
    WWW,
  ]);
  const url = address.includes(':') ? `http://[${bare(address)}]:${port}/ok` : `http://${bare(address)}:${port}/ok`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const probe = await lab.root([...inNetns, 'timeout', '2', 'busybox', 'wget', '-q', '-O-', url], 10_000);
    if (ok(probe) && probe.stdout.trim() === 'ok') return pid;
    await sleep(250);
  }
  throw new LabError(`httpd on ${listen}${netns ? ` in ${netns}` : ''} did not answer within 5 s`);
}

/** An HTTP GET from the host's own namespace (or a named one), bounded. */
export async function hostHttp(lab: Lab, url: string, netns?: string, seconds = 4): Promise<ProbeResult> {
  const inNetns = netns === undefined ? [] : ['ip', 'netns', 'exec', netns];
  const raw = await lab.root([...inNetns, 'timeout', String(seconds), 'busybox', 'wget', '-q', '-O-', url], 20_000);
  const body = raw.stdout.trim();
  const where = netns === undefined ? 'the host' : netns;
  if (ok(raw)) return { ok: true, detail: `${where} got ${url} (${clip(body, 20)})`, raw };
  const why =
    raw.exitCode === 124 || raw.exitCode === 143
      ? `no answer in ${seconds} s`
      : clip(firstMeaningfulLine(output(raw)) || `exit ${raw.exitCode}`, 60);
  return { ok: false, detail: `${where} could not get ${url} (${why})`, raw };
}

/** Running rootful containers of other sessions, which a host-wide change or probe would touch. */
export async function foreignContainers(lab: Lab): Promise<string[]> {
  const names: string[] = [];
  for (const engine of [lab.podman, lab.docker]) {
    const result = await engine.cmd(['ps', '--format', '{{.Names}}'], 30_000);
    if (!ok(result)) throw new LabError(`${engine.label}: ps failed (${brief(result)})`);
    names.push(
      ...result.stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((name) => name !== '' && !name.startsWith(LAB_PREFIX))
        .map((name) => `${engine.label} ${name}`),
    );
  }
  return names;
}
