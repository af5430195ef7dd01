/**
 * The seed tutorial's network, built by hand the way it teaches it: two network namespaces (red, blue), a veth
 * pair each, a bridge on the host with the namespaces' gateway address, default routes through it, forwarding
 * and a MASQUERADE rule for the subnet. Every object is named `<prefix>-...` (prefix ndl-*, interface names stay
 * within 15 characters) and every step goes through the lab's guard: namespaces and links are deleted, and every
 * iptables rule that names the prefix or the subnet (the tutorial's and those printed fixes add) is removed by
 * the restore, also after a killed run.
 */
import { LabError, baseEnv, brief, run, type RunResult } from './exec.js';
import type { Lab } from './lab.js';
import { EXT_URL } from './paths.js';
import type { ProbeResult } from './probes.js';

export interface Tutorial {
  prefix: string;
  red: string;
  blue: string;
  bridge: string;
  /** The host ends of the veths (the namespace ends are `<host end>-c`). */
  redHost: string;
  blueHost: string;
  subnet: string;
  gateway: string;
  redAddress: string;
  blueAddress: string;
}

/** A tutorial network of a scenario: prefix ndl-XX (at most 7 characters), subnet 10.231.N.0/24. */
export function tutorial(prefix: string, third: number): Tutorial {
  if (!prefix.startsWith('ndl-') || prefix.length > 7) throw new Error(`tutorial prefix ndl-XX expected: ${prefix}`);
  const base = `10.231.${third}`;
  return {
    prefix,
    red: `${prefix}-red`,
    blue: `${prefix}-blue`,
    bridge: `${prefix}-br`,
    redHost: `${prefix}-vr`,
    blueHost: `${prefix}-vb`,
    subnet: `${base}.0/24`,
    gateway: `${base}.1`,
    redAddress: `${base}.2`,
    blueAddress: `${base}.3`,
  };
}

async function ip(lab: Lab, ...args: string[]): Promise<void> {
  await lab.mustRoot(['ip', ...args]);
}

/** The rules of a tutorial network (its prefix, its subnet) go with the restore, whoever added them. */
export function rulePattern(net: Pick<Tutorial, 'prefix' | 'subnet'>): string {
  return `${net.prefix.replace(/[-.]/g, '\\$&')}-|${net.subnet.replace(/\.0\/24$/, '').replace(/\./g, '\\.')}\\.`;
}

/** A namespace with a veth to a bridge (or to the host alone), its address and a default route via `gateway`. */
export async function attachNamespace(
  lab: Lab,
  namespace: string,
  hostEnd: string,
  bridge: string | undefined,
  address: string,
  gateway: string | undefined,
): Promise<void> {
  await lab.guard.addNetns(namespace);
  await lab.hostGuard.addLink(hostEnd, [
    'ip',
    'link',
    'add',
    hostEnd,
    'type',
    'veth',
    'peer',
    'name',
    `${hostEnd}-c`,
    'netns',
    namespace,
  ]);
  if (bridge !== undefined) await ip(lab, 'link', 'set', hostEnd, 'master', bridge);
  await ip(lab, 'link', 'set', hostEnd, 'up');
  await ip(lab, '-n', namespace, 'link', 'set', 'lo', 'up');
  await ip(lab, '-n', namespace, 'addr', 'add', address, 'dev', `${hostEnd}-c`);
  await ip(lab, '-n', namespace, 'link', 'set', `${hostEnd}-c`, 'up');
  if (gateway !== undefined) await ip(lab, '-n', namespace, 'route', 'add', 'default', 'via', gateway);
}

export interface TutorialOptions {
  /** The tutorial's MASQUERADE rule for the subnet (default: yes). */
  masquerade?: boolean;
  /**
   * The tutorial's advice for a host with docker: accept the bridge's traffic in FORWARD, whose policy docker set
   * to DROP (default: yes).
   */
  forwardAccepts?: boolean;
}

/** Builds the tutorial's network: bridge with the gateway address, red and blue on it, forwarding, NAT. */
export async function buildTutorial(lab: Lab, net: Tutorial, options: TutorialOptions = {}): Promise<void> {
  await lab.hostGuard.sweepRulesAfterwards(rulePattern(net));
  await lab.hostGuard.addLink(net.bridge, ['ip', 'link', 'add', net.bridge, 'type', 'bridge']);
  await ip(lab, 'link', 'set', net.bridge, 'up');
  await ip(lab, 'addr', 'add', `${net.gateway}/24`, 'dev', net.bridge);
  await attachNamespace(lab, net.red, net.redHost, net.bridge, `${net.redAddress}/24`, net.gateway);
  await attachNamespace(lab, net.blue, net.blueHost, net.bridge, `${net.blueAddress}/24`, net.gateway);
  await lab.guard.sysctl('net.ipv4.ip_forward', '1');
  if (options.masquerade ?? true)
    await lab.mustRoot([
      'iptables',
      '-w',
      '5',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-s',
      net.subnet,
      '!',
      '-o',
      net.bridge,
      '-j',
      'MASQUERADE',
    ]);
  if (options.forwardAccepts ?? true) {
    await lab.mustRoot(['iptables', '-w', '5', '-A', 'FORWARD', '-i', net.bridge, '-j', 'ACCEPT']);
    await lab.mustRoot(['iptables', '-w', '5', '-A', 'FORWARD', '-o', net.bridge, '-j', 'ACCEPT']);
  }
}

function inNamespace(namespace: string, argv: string[], seconds: number): Promise<RunResult> {
  return run(['ip', 'netns', 'exec', namespace, 'timeout', String(seconds), 'busybox', ...argv], {
    timeoutMs: (seconds + 10) * 1000,
    env: baseEnv(),
  });
}

/** One ping from a namespace, bounded. */
export async function pingFrom(namespace: string, address: string): Promise<ProbeResult> {
  const raw = await inNamespace(namespace, ['ping', '-c', '1', '-W', '2', address], 4);
  const passed = raw.exitCode === 0 && /1 packets received/.test(raw.stdout);
  const why = /unreachable/i.test(`${raw.stdout}${raw.stderr}`) ? 'network is unreachable' : 'no reply in 2 s';
  return {
    ok: passed,
    detail: passed ? `${namespace} pinged ${address}` : `${namespace} could not ping ${address} (${why})`,
    raw,
  };
}

/** An HTTP GET from a namespace, bounded (busybox wget under `timeout`). */
export async function getFrom(namespace: string, url = EXT_URL, expect = 'ok'): Promise<ProbeResult> {
  const raw = await inNamespace(namespace, ['wget', '-q', '-O-', url], 4);
  const passed = raw.exitCode === 0 && raw.stdout.trim() === expect;
  const why =
    raw.exitCode === 124 || raw.exitCode === 143
      ? 'no answer in 4 s'
      : brief({ ...raw, stdout: raw.stdout.trim() }, 60) || `exit ${raw.exitCode}`;
  return { ok: passed, detail: passed ? `${namespace} got ${url}` : `${namespace} could not get ${url} (${why})`, raw };
}

/** The tutorial network works: red and blue ping each other, both fetch the fake outside host's page through NAT. */
export async function proveTutorial(net: Tutorial): Promise<string> {
  const results = await Promise.all([pingFrom(net.red, net.blueAddress), getFrom(net.red), getFrom(net.blue)]);
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0)
    throw new LabError(`the tutorial network does not work: ${failed.map((r) => r.detail).join('; ')}`);
  return results.map((result) => result.detail).join('; ');
}

/** A probe that must fail (the breakage) or pass (the repair). */
export function must(result: ProbeResult, wanted: 'pass' | 'fail'): string {
  if (result.ok !== (wanted === 'pass')) throw new LabError(`expected this to ${wanted}: ${result.detail}`);
  return result.detail;
}
