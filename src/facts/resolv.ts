import { defineFact } from '../core/facts.js';
import { describeError, type Readable } from './files.js';
import { parseCidr, cidrContains } from './ip.js';

export const HOST_RESOLV_CONF = '/etc/resolv.conf';
/** Where docker and podman look instead when the host's only nameserver is systemd-resolved's stub. */
export const SYSTEMD_RESOLVED_UPSTREAMS = '/run/systemd/resolve/resolv.conf';
/** Where podman looks instead when the host's only nameserver is NetworkManager's dnsmasq on 127.0.0.1. */
export const NETWORK_MANAGER_UPSTREAMS = '/run/NetworkManager/no-stub-resolv.conf';

export interface ResolvConf {
  path: string;
  nameservers: string[];
  /** The nameserver lines, for evidence. */
  excerpt: string;
}

export function parseResolvConf(path: string, content: string): ResolvConf {
  const lines = content.split('\n').filter((line) => /^\s*nameserver\s+\S/.test(line));
  return {
    path,
    nameservers: lines.map((line) => line.trim().split(/\s+/)[1] ?? ''),
    excerpt: lines.map((line) => line.trim()).join('\n'),
  };
}

const LOOPBACK = [parseCidr('127.0.0.0/8'), parseCidr('::1/128')];

/** A nameserver a container cannot reach from its own network namespace: its loopback is not the host's. */
export function isLoopbackNameserver(address: string): boolean {
  const parsed = parseCidr(address.replace(/%.*$/, ''));
  return parsed !== undefined && LOOPBACK.some((loopback) => loopback !== undefined && cidrContains(loopback, parsed));
}

/** The resolv.conf an engine builds containers' resolv.conf from, after its stub special cases. */
export function upstreamSource(hostFile: ResolvConf, engine: 'docker' | 'podman'): string | undefined {
  const [only, ...others] = hostFile.nameservers;
  if (others.length > 0) return undefined;
  if (only === '127.0.0.53') return SYSTEMD_RESOLVED_UPSTREAMS;
  if (only === '127.0.0.1' && engine === 'podman') return NETWORK_MANAGER_UPSTREAMS;
  return undefined;
}

export type ResolvRead = Readable<ResolvConf>;

export function resolvConfFile(path: string) {
  return defineFact<ResolvRead>(`resolv:${path}`, async ({ host }) => {
    const file = await host.readFile(path);
    if (!file.ok) return { ok: false, code: file.error.code, reason: describeError(path, file.error) };
    return { ok: true, value: parseResolvConf(path, file.content) };
  });
}

export const hostResolvConf = resolvConfFile(HOST_RESOLV_CONF);
