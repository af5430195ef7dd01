import { dockerContainers, dockerState, dockerStoppedContainers } from '../../src/facts/docker.js';
import { systemdRunning } from '../../src/facts/files.js';
import { tcpListeners, udpListeners, type SocketListener } from '../../src/facts/listeners.js';
import type { Container } from '../../src/facts/model.js';
import { podmanPortRequests } from '../../src/facts/podman-ports.js';
import { podmanContainers, podmanState } from '../../src/facts/podman.js';
import { processById, processServiceUnit } from '../../src/facts/processes.js';
import { findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { operands, shellLine } from '../../src/core/shell.js';
import type { EngineName, Evidence, Finding, Scope } from '../../src/core/types.js';
import type { Check, CheckContext, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.docker.com/engine/network/port-publishing/';

const FINDINGS = {
  'net.host_port_in_use': {
    severity: 'error',
    title: 'A container cannot publish a host port that something else holds',
    explanation:
      'To publish a port, the engine binds it on the host: rootful podman through conmon, rootless podman through rootlessport, docker through docker-proxy (and its own port allocator). When another process, or another container, already listens on that port and address, the bind fails and the container does not start: podman says "bind: address already in use", docker "port is already allocated" or "address already in use". It stays created or exited, and nothing of it answers on the port.',
    cause:
      'A host service on the same port (a web server on 80 or 8080, a DNS server on 53), another container or the other engine publishing the same port, or a leftover process from an earlier run.',
    fix: 'Free the port (stop the other container or service) and start the container again, or recreate the container with another host port (-p OTHER:PORT) or bound to one address the other program does not use (-p ADDRESS:PORT:PORT).',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

/** A port a container that does not run asks for. */
interface Wanted {
  engine: EngineName;
  scope: Scope;
  container: string;
  state: string;
  hostIp?: string;
  hostPort: number;
  protocol: string;
  /** What the engine recorded about the failed start, for evidence. */
  error?: string;
}

type Holder =
  | { kind: 'container'; engine: EngineName; name: string; binding: string }
  | { kind: 'process'; listener: SocketListener };

/**
 * A container that ran and was stopped (exited) may have been stopped on purpose, and the port it would take
 * is free for others: only one whose start failed asks for its ports now. A failed first start leaves it
 * created; docker also records the error of a failed later start.
 */
function neverRan(state: string): boolean {
  return state !== 'running' && state !== 'exited' && state !== 'stopped';
}

function failedToStart(container: { state: string; error: string }): boolean {
  return neverRan(container.state) || container.error !== '';
}

function family(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

function isWildcard(address: string | undefined): boolean {
  return address === undefined || address === '' || address === '0.0.0.0' || address === '::' || address === '*';
}

/**
 * Whether two binds of one port collide: a wildcard takes every address of its family ("::" both families, as
 * Linux binds it dual-stack by default), a specific address only itself.
 */
function collide(wanted: string | undefined, held: string | undefined): boolean {
  const a = wanted === undefined || wanted === '' ? '0.0.0.0' : wanted;
  const b = held === undefined || held === '' ? '0.0.0.0' : held;
  if (a === '*' || b === '*' || a === '::' || b === '::') return true;
  if (family(a) !== family(b)) return false;
  return a === b || isWildcard(a) || isWildcard(b);
}

function bindingText(hostIp: string | undefined, port: number, protocol: string): string {
  const address = hostIp ? (hostIp.includes(':') ? `[${hostIp}]` : hostIp) : '0.0.0.0';
  return `${address}:${port}/${protocol}`;
}

function ownerText(listener: SocketListener): string {
  const owners = [...new Set(listener.owners.map((owner) => `${owner.name} (pid ${owner.pid})`))];
  return owners.join(', ') || 'a process netdoctor may not see (run as root to name it)';
}

function heldBy(wanted: Wanted, running: Container[], listeners: SocketListener[]): Holder | undefined {
  for (const container of running) {
    if (container.engine === wanted.engine && container.name === wanted.container) continue;
    const binding = container.publishedPorts.find(
      (port) =>
        port.hostPort === wanted.hostPort && port.protocol === wanted.protocol && collide(wanted.hostIp, port.hostIp),
    );
    if (binding !== undefined)
      return {
        kind: 'container',
        engine: container.engine,
        name: container.name,
        binding: bindingText(binding.hostIp, binding.hostPort, binding.protocol),
      };
  }
  const listener = listeners.find(
    (candidate) => candidate.port === wanted.hostPort && collide(wanted.hostIp, candidate.address),
  );
  return listener === undefined ? undefined : { kind: 'process', listener };
}

async function freeCommands(holder: Holder, { facts }: CheckContext): Promise<{ commands: string[]; what: string }> {
  if (holder.kind === 'container')
    return {
      commands: [shellLine([holder.engine, 'stop', ...operands(holder.name)])],
      what: `stop ${holder.engine} container ${holder.name}`,
    };
  const [owner] = holder.listener.owners;
  if (owner === undefined)
    return {
      commands: [],
      what: `find the process that listens there (as root: ss -Hlntup 'sport = :${holder.listener.port}') and stop it`,
    };
  const [unit, systemd, process] = await Promise.all([
    facts.get(processServiceUnit(owner.pid)),
    facts.get(systemdRunning),
    facts.get(processById(owner.pid)),
  ]);
  if (unit !== undefined && systemd)
    return { commands: [shellLine(['systemctl', 'stop', unit])], what: `stop ${unit}, which runs ${owner.name}` };
  const argv = process.kind === 'running' ? ` (${process.process.argv.join(' ')})` : '';
  return { commands: [shellLine(['kill', String(owner.pid)])], what: `end ${owner.name}, pid ${owner.pid}${argv}` };
}

export default {
  id: 'net.host-port',
  title: 'Host ports the containers ask for and cannot get',
  findings: FINDINGS,
  docs: DOCS,
  async run(context) {
    const { facts } = context;
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    if (docker.kind !== 'ok' && podman.kind !== 'ok') {
      if (docker.kind === 'absent' && podman.kind === 'absent')
        return notApplicable('no container engine is installed');
      return cannotDecide('no container engine can be used (engine.reachable says why)');
    }
    const wanted: Wanted[] = [];
    const running: Container[] = [];
    const limits: string[] = [];
    if (docker.kind === 'ok') {
      const [stopped, live] = await Promise.all([facts.get(dockerStoppedContainers), facts.get(dockerContainers)]);
      if (stopped.ok)
        for (const container of stopped.items.filter(failedToStart))
          for (const binding of container.portBindings)
            wanted.push({
              engine: 'docker',
              scope: 'rootful',
              container: container.name,
              state: container.state,
              ...(binding.hostIp ? { hostIp: binding.hostIp } : {}),
              hostPort: binding.hostPort,
              protocol: binding.protocol,
              ...(container.error ? { error: container.error } : {}),
            });
      else limits.push(`docker containers that do not run: ${stopped.reason}`);
      if (live.ok) running.push(...live.items.filter((container) => container.running));
      else limits.push(`docker containers: ${live.reason}`);
    }
    if (podman.kind === 'ok') {
      const [requests, live] = await Promise.all([facts.get(podmanPortRequests), facts.get(podmanContainers)]);
      if (requests.ok)
        for (const request of requests.items.filter((item) => neverRan(item.state) && item.hostPort > 0))
          for (let offset = 0; offset < request.range; offset++)
            wanted.push({
              engine: 'podman',
              scope: podman.scope,
              container: request.container,
              state: request.state,
              ...(request.hostIp ? { hostIp: request.hostIp } : {}),
              hostPort: request.hostPort + offset,
              protocol: request.protocol,
            });
      else limits.push(`podman containers: ${requests.reason}`);
      if (live.ok) running.push(...live.items.filter((container) => container.running));
      else limits.push(`podman containers: ${live.reason}`);
    }
    if (wanted.length === 0)
      return verdict([], 'no container that publishes ports is left created or stopped by a failed start', limits);
    const protocols = [...new Set(wanted.map((item) => item.protocol))];
    const reads = await Promise.all(
      protocols.map(async (protocol) => ({
        protocol,
        read: await facts.get(protocol === 'udp' ? udpListeners : tcpListeners),
      })),
    );
    const listenersOf = new Map<string, SocketListener[]>();
    const sources = new Map<string, string>();
    for (const { protocol, read } of reads) {
      if (read.ok) {
        listenersOf.set(protocol, read.value.listeners);
        sources.set(protocol, read.value.source);
      } else limits.push(`${protocol} listeners: ${read.reason}`);
    }
    const blocked = new Map<string, { wanted: Wanted[]; holders: Holder[] }>();
    for (const item of wanted) {
      const listeners = listenersOf.get(item.protocol);
      if (listeners === undefined) continue;
      const holder = heldBy(item, running, listeners);
      if (holder === undefined) continue;
      const key = `${item.engine}\u0000${item.container}`;
      const entry = blocked.get(key) ?? { wanted: [], holders: [] };
      entry.wanted.push(item);
      entry.holders.push(holder);
      blocked.set(key, entry);
    }
    const findings: Finding[] = [];
    for (const { wanted: ports, holders } of blocked.values()) {
      const first = ports[0]!;
      const evidence: Evidence[] = [];
      const descriptions: string[] = [];
      const freeing: string[] = [];
      const steps: string[] = [];
      for (const [index, holder] of holders.entries()) {
        const port = ports[index]!;
        const binding = bindingText(port.hostIp, port.hostPort, port.protocol);
        if (holder.kind === 'container') {
          descriptions.push(`${binding} is published by ${holder.engine} container ${holder.name}`);
          evidence.push({
            source: 'command',
            what: shellLine([holder.engine, 'container', 'inspect', ...operands(holder.name)]),
            excerpt: `${holder.name} runs and publishes ${holder.binding}`,
          });
        } else {
          descriptions.push(
            `${ownerText(holder.listener)} listens on ${holder.listener.address}:${holder.listener.port}`,
          );
          evidence.push({
            source: 'command',
            what: sources.get(port.protocol) ?? '',
            excerpt: holder.listener.line,
          });
        }
        const free = await freeCommands(holder, context);
        for (const command of free.commands) if (!freeing.includes(command)) freeing.push(command);
        if (!steps.includes(free.what)) steps.push(free.what);
      }
      evidence.push({
        source: 'command',
        what:
          first.engine === 'docker'
            ? shellLine(['docker', 'container', 'inspect', ...operands(first.container)])
            : shellLine(['podman', 'ps', '--all', '--format', 'json']),
        excerpt: `${first.container}: ${first.state}, publishes ${ports.map((port) => bindingText(port.hostIp, port.hostPort, port.protocol)).join(', ')}${first.error ? `; last start: ${first.error}` : ''}`,
      });
      findings.push(
        finding('net.host_port_in_use', {
          subject: { engine: first.engine, scope: first.scope, containers: [first.container] },
          title: `${first.container} cannot publish ${ports.map((port) => bindingText(port.hostIp, port.hostPort, port.protocol)).join(', ')}: ${descriptions.join('; ')}`,
          detail: `${first.container} is ${first.state}.`,
          evidence,
          fix: {
            commands: [...freeing, shellLine([first.engine, 'start', ...operands(first.container)])],
            summary: `Free the port: ${steps.join('; ')}; then start ${first.container} again. If both must run, recreate ${first.container} with another host port (-p OTHER:${ports[0]!.hostPort}) or bound to an address the other does not use.`,
          },
        }),
      );
    }
    return verdict(
      findings,
      `${wanted.length} host port(s) asked for by containers whose start failed; ${findings.length} held by something else`,
      limits,
    );
  },
} satisfies Check;
