import { readFile } from 'node:fs/promises';
import type { Finding } from '../../../src/core/types.js';
import type { FixPlan } from '../scenario.js';
import type { Engine } from './engine.js';
import { LabError, brief, clip, ok } from './exec.js';
import type { Lab } from './lab.js';
import { EXT_IP, EXT_URL } from './paths.js';
import { egress, expectProbe, http, lookup, nameservers } from './probes.js';

/**
 * The DNS server containers of a network ask: docker's embedded DNS, or the network's gateway (aardvark-dns, dnsname's
 * dnsmasq).
 */
export async function dnsServer(engine: Engine, network: string): Promise<string> {
  return engine.kind === 'docker' ? '127.0.0.11' : engine.gateway(network);
}

/**
 * Two containers on a user network: <prefix>-a (sleeps) and <prefix>-b (serves /ok on port 80).
 * Remembers their addresses and the network's DNS server as <prefix>-a.ip, <prefix>-b.ip, <prefix>.dns.
 */
export async function pair(lab: Lab, engine: Engine, prefix: string, networkOptions: string[] = []): Promise<void> {
  await engine.network(prefix, networkOptions);
  await engine.start(`${prefix}-a`, ['--network', prefix]);
  await engine.startWeb(`${prefix}-b`, ['--network', prefix]);
  await remember(lab, engine, prefix, prefix);
}

export async function remember(lab: Lab, engine: Engine, prefix: string, network: string): Promise<void> {
  lab.set(`${prefix}-a.ip`, await engine.ip(`${prefix}-a`, network));
  lab.set(`${prefix}-b.ip`, await engine.ip(`${prefix}-b`, network));
  lab.set(`${prefix}.dns`, await dnsServer(engine, network));
}

/** b resolves a by name, a resolves b, a gets b's page by address: the network itself works. */
export async function provePeers(lab: Lab, engine: Engine, prefix: string): Promise<string> {
  const server = lab.get(`${prefix}.dns`);
  const resolved = await lookup(engine, `${prefix}-b`, `${prefix}-a`, server);
  expectProbe(resolved, 'pass');
  if (resolved.address !== lab.get(`${prefix}-a.ip`))
    throw new LabError(`${prefix}-a resolved to ${resolved.address}, not its address ${lab.get(`${prefix}-a.ip`)}`);
  expectProbe(await lookup(engine, `${prefix}-a`, `${prefix}-b`, server), 'pass');
  expectProbe(await http(engine, `${prefix}-a`, `http://${lab.get(`${prefix}-b.ip`)}/ok`), 'pass');
  return `names resolve via ${server}, peer answers`;
}

/** The outside host: its page through NAT, and its DNS server answering ext.test. */
export async function proveOutside(engine: Engine, from: string): Promise<string> {
  expectProbe(await egress(engine, from), 'pass');
  const ext = await lookup(engine, from, 'ext.test', EXT_IP);
  expectProbe(ext, 'pass');
  if (ext.address !== EXT_IP) throw new LabError(`ext.test resolved to ${ext.address}`);
  return `${EXT_URL} and ext.test answer`;
}

export async function proveHealthyPair(lab: Lab, engine: Engine, prefix: string): Promise<string> {
  const peers = await provePeers(lab, engine, prefix);
  const outside = await proveOutside(engine, `${prefix}-a`);
  return `${engine.label}: ${peers}; ${outside}`;
}

/**
 * Egress is dead while the peer on the same bridge still answers: forwarding, not the network, is broken.
 * `reassert` puts the breakage back if another session undid it (any `podman run` turns ip_forward on); the
 * probe counts only when the state held through it (at most 3 attempts).
 */
export async function proveEgressOnlyBroken(
  lab: Lab,
  engine: Engine,
  prefix: string,
  reassert?: () => Promise<string | undefined>,
): Promise<string> {
  const peer = expectProbe(await http(engine, `${prefix}-a`, `http://${lab.get(`${prefix}-b.ip`)}/ok`), 'pass');
  const notes: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const before = await reassert?.();
    if (before !== undefined) notes.push(before);
    const probe = await egress(engine, `${prefix}-a`);
    const during = await reassert?.();
    if (during !== undefined) notes.push(during);
    if (during === undefined || attempt === 3) {
      const outside = expectProbe(probe, 'fail');
      return `${outside}; ${peer.replace(`${prefix}-a got `, 'peer ')} still answers${notes.length > 0 ? ` (undone meanwhile by another session, put back: ${notes.join('; ')})` : ''}`;
    }
  }
}

/**
 * Names do not resolve: the container's resolv.conf lists no server of the network, and the gateway does not answer for
 * the peer.
 */
export async function proveNoNames(engine: Engine, from: string, peer: string, server: string): Promise<string> {
  const servers = await nameservers(engine, from);
  const failed = expectProbe(await lookup(engine, from, peer, server, 3), 'fail');
  return `${from}'s resolv.conf lists ${servers.join(', ') || 'no nameserver'}${servers.includes(server) ? '' : ` (not ${server})`}; ${failed}`;
}

export async function conflistPlugins(network: string): Promise<string[]> {
  const text = await readFile(`/etc/cni/net.d/${network}.conflist`, 'utf8');
  const data = JSON.parse(text) as { plugins?: { type?: string }[] };
  return (data.plugins ?? []).map((plugin) => plugin.type ?? '');
}

/** A finding's fix commands, for messages. */
export function commandsOf(findings: Finding[]): string {
  return findings
    .flatMap((finding) => finding.fix.commands)
    .map((command) => `\`${clip(command, 80)}\``)
    .join(', ');
}

/** Replaces whole-word occurrences of a name in printed commands (netdoctor's example names vs the lab's nd* names). */
export function renameInCommands(commands: string[], from: string, to: string): string[] {
  const pattern = new RegExp(`(^|\\s)${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=\\s|$)`, 'g');
  return commands.map((command) => command.replace(pattern, `$1${to}`));
}

/**
 * Runs the printed fix as the identity, with netdoctor's example network "app" named `name` and tracked for cleanup.
 */
export function appNetworkFix(engineOf: (lab: Lab) => Engine, name: string): FixPlan {
  return {
    kind: 'printed',
    runAs: 'identity',
    adapt: (commands, lab) => {
      engineOf(lab).trackNetwork(name);
      return {
        commands: renameInCommands(commands, 'app', name),
        note: `network "app" named ${name}, as every lab object`,
      };
    },
  };
}

/** docker run --rm works again: the probe reaches the outside host through docker0. */
export async function proveDockerWorks(lab: Lab): Promise<string> {
  const result = await lab.docker.runOnce([], ['timeout', '4', 'wget', '-q', '-O-', EXT_URL]);
  if (!ok(result) || result.stdout.trim() !== 'ok') throw new LabError(`docker run: ${brief(result, 200)}`);
  return `docker run works (a container got ${EXT_URL})`;
}
