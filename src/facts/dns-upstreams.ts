/**
 * The DNS servers containers depend on for outside names, and the network path each is asked over: the
 * container's own namespace for the servers in its resolv.conf (and for docker's embedded DNS, which forwards from
 * there), the host's namespace for aardvark-dns and dnsname's dnsmasq, which run on the host and forward from it.
 */
import type { HostContext } from '../core/host.js';
import { defineFact } from '../core/facts.js';
import type { EngineName, Scope } from '../core/types.js';
import { dnsnamePodman } from './cni.js';
import { dockerDaemon } from './docker-daemon.js';
import { dockerContainers, dockerNetworks, dockerState } from './docker.js';
import { describeError } from './files.js';
import type { Container, ContainerNetwork } from './model.js';
import { aardvarkStateDir, podmanDnsSettings } from './podman-dns.js';
import { podmanContainers, podmanNetworks, podmanState } from './podman.js';
import { hostResolvConf, isLoopbackNameserver, resolvConfFile, upstreamSource } from './resolv.js';

export const DOCKER_EMBEDDED_DNS = '127.0.0.11';

/** Where a query to the server leaves from. */
export type UpstreamPath =
  | { kind: 'container'; container: string; engine: EngineName; scope: Scope; pid: number }
  | { kind: 'host'; forwarder: string };

export interface UpstreamUse {
  server: string;
  path: UpstreamPath;
  /** How the container reaches the server: directly, or through its engine's DNS server. */
  via: string;
  /** Where the server was configured, for the fix. */
  origin: string;
  container: string;
}

export interface ContainerDns {
  container: Container;
  resolvConf: string;
  nameservers: string[];
  uses: UpstreamUse[];
}

export interface DnsUpstreams {
  containers: ContainerDns[];
  /** What could not be read: the list may be incomplete. */
  limits: string[];
}

/** One line of an aardvark-dns network file: `ID IPV4S IPV6S NAMES [SERVERS]`, the first line `GATEWAYS [SERVERS]`. */
export function parseAardvarkFile(content: string): {
  networkServers: string[];
  containerServers: Map<string, string[]>;
} {
  const [first = '', ...rest] = content.split('\n').filter((line) => line.trim() !== '');
  const servers = (field: string | undefined) => (field ?? '').split(',').filter((item) => item !== '');
  const containerServers = new Map<string, string[]>();
  for (const line of rest) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== undefined) containerServers.set(fields[0], servers(fields[4]));
  }
  return { networkServers: servers(first.trim().split(/\s+/)[1]), containerServers };
}

function aardvarkFile(context: HostContext, network: string) {
  return defineFact<{ ok: true; content: string; path: string } | { ok: false; reason: string }>(
    `aardvark-file:${network}`,
    async ({ host }) => {
      const path = `${aardvarkStateDir(context)}/${network}`;
      const file = await host.readFile(path);
      return file.ok
        ? { ok: true, content: file.content, path }
        : { ok: false, reason: describeError(path, file.error) };
    },
  );
}

/** The host's upstreams as an engine takes them: its resolv.conf, or the file behind a local stub. */
async function hostUpstreams(
  facts: Parameters<Parameters<typeof defineFact>[1]>[0],
  engine: EngineName,
): Promise<{ servers: string[]; origin: string } | { reason: string }> {
  const host = await facts.get(hostResolvConf);
  if (!host.ok) return { reason: host.reason };
  const behind = upstreamSource(host.value, engine);
  if (behind === undefined) return { servers: host.value.nameservers, origin: host.value.path };
  const file = await facts.get(resolvConfFile(behind));
  return file.ok
    ? { servers: file.value.nameservers, origin: file.value.path }
    : { servers: host.value.nameservers, origin: host.value.path };
}

export const dnsUpstreams = defineFact<DnsUpstreams>('dns:upstreams', async (facts) => {
  const result: DnsUpstreams = { containers: [], limits: [] };
  const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
  const candidates: { container: Container; networks: ContainerNetwork[] }[] = [];
  if (docker.kind === 'ok' && !docker.info.rootless) {
    const [containers, networks] = await Promise.all([facts.get(dockerContainers), facts.get(dockerNetworks)]);
    if (containers.ok && networks.ok)
      candidates.push(
        ...containers.items
          .filter((item) => item.running)
          .map((container) => ({ container, networks: networks.items })),
      );
    else result.limits.push(`docker: ${containers.ok ? '' : containers.reason}${networks.ok ? '' : networks.reason}`);
  }
  if (podman.kind === 'ok') {
    const [containers, networks] = await Promise.all([facts.get(podmanContainers), facts.get(podmanNetworks)]);
    if (containers.ok && networks.ok)
      candidates.push(
        ...containers.items
          .filter((item) => item.running)
          .map((container) => ({ container, networks: networks.items })),
      );
    else result.limits.push(`podman: ${containers.ok ? '' : containers.reason}${networks.ok ? '' : networks.reason}`);
  }
  const [settings, daemon, dnsname] = await Promise.all([
    facts.get(podmanDnsSettings),
    facts.get(dockerDaemon),
    facts.get(dnsnamePodman),
  ]);
  for (const { container, networks } of candidates) {
    if (container.pid === undefined || container.resolvConfPath === undefined) continue;
    // Host-network containers ask the host's own servers from the host's namespace: nothing of theirs to check.
    if (container.networkMode === 'host') continue;
    const file = await facts.get(resolvConfFile(container.resolvConfPath));
    if (!file.ok) {
      result.limits.push(`${container.name}: ${file.reason}`);
      continue;
    }
    const attached = networks.filter(
      (network) => network.dnsEnabled && container.networks.some((attachment) => attachment.network === network.name),
    );
    const engineDns =
      container.engine === 'docker'
        ? [DOCKER_EMBEDDED_DNS]
        : attached.flatMap((network) => network.subnets.flatMap((subnet) => (subnet.gateway ? [subnet.gateway] : [])));
    const inside: UpstreamPath = {
      kind: 'container',
      container: container.name,
      engine: container.engine,
      scope: container.scope,
      pid: container.pid,
    };
    const configured =
      container.engine === 'docker'
        ? { servers: daemon.ok ? daemon.config.dns : [], origin: daemon.ok ? `dns of ${daemon.config.configPath}` : '' }
        : { servers: settings.dnsServers, origin: `dns_servers of ${settings.origin.dnsServers ?? 'containers.conf'}` };
    const host = await hostUpstreams(facts, container.engine);
    const originOf = (server: string): string => {
      if (container.dns.includes(server)) return `--dns of ${container.name}`;
      if (configured.servers.includes(server)) return configured.origin;
      if ('servers' in host && host.servers.includes(server)) return host.origin;
      return `the engine's fallback (no usable server was left in the host's resolv.conf)`;
    };
    const uses: UpstreamUse[] = [];
    for (const server of file.value.nameservers) {
      if (!engineDns.includes(server)) {
        uses.push({
          server,
          path: inside,
          via: `directly (${container.resolvConfPath})`,
          origin: originOf(server),
          container: container.name,
        });
        continue;
      }
      if (container.engine === 'docker') {
        const servers =
          container.dns.length > 0
            ? container.dns
            : configured.servers.length > 0
              ? configured.servers
              : 'servers' in host
                ? host.servers
                : [];
        if (servers.length === 0 && 'reason' in host) result.limits.push(`docker's upstreams: ${host.reason}`);
        for (const upstream of servers)
          uses.push({
            server: upstream,
            // dockerd asks a loopback server from the host's namespace, any other from the container's.
            path: isLoopbackNameserver(upstream) ? { kind: 'host', forwarder: "docker's embedded DNS" } : inside,
            via: `through docker's embedded DNS (${DOCKER_EMBEDDED_DNS})`,
            origin: originOf(upstream),
            container: container.name,
          });
        continue;
      }
      const network = attached.find((candidate) => candidate.subnets.some((subnet) => subnet.gateway === server));
      if (network === undefined) continue;
      if (container.scope === 'rootless') {
        result.limits.push(
          `${container.name}: the upstreams of rootless aardvark-dns (in the user's network namespace) are not checked`,
        );
        continue;
      }
      const viaDnsname = dnsname.ok && dnsname.networks.some((conflist) => conflist.name === network.name);
      let servers: string[] = [];
      let origin = '';
      if (!viaDnsname) {
        const aardvark = await facts.get(aardvarkFile(facts.host.context, network.name));
        if (aardvark.ok) {
          const parsed = parseAardvarkFile(aardvark.content);
          const own = parsed.containerServers.get(container.id) ?? [];
          if (own.length > 0) [servers, origin] = [own, `${aardvark.path} (the container's --dns)`];
          else if (parsed.networkServers.length > 0)
            [servers, origin] = [parsed.networkServers, `${aardvark.path} (the network's dns servers)`];
        } else result.limits.push(aardvark.reason);
      }
      if (servers.length === 0) {
        // aardvark-dns and dnsname's dnsmasq read the host's /etc/resolv.conf, from the host's namespace.
        const own = await facts.get(hostResolvConf);
        if (own.ok) [servers, origin] = [own.value.nameservers, own.value.path];
        else result.limits.push(own.reason);
      }
      const forwarder = viaDnsname ? "dnsname's dnsmasq" : 'aardvark-dns';
      for (const upstream of servers)
        uses.push({
          server: upstream,
          path: { kind: 'host', forwarder },
          via: `through ${forwarder} on ${server}`,
          origin,
          container: container.name,
        });
    }
    result.containers.push({ container, resolvConf: file.value.path, nameservers: file.value.nameservers, uses });
  }
  return result;
});
