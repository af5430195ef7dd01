import type { HostContext } from '../core/host.js';
import { containersConfDocuments } from './containers-conf.js';
import { defineFact } from '../core/facts.js';
import { asRecord, asStringArray } from './model.js';

export const DEFAULT_DNS_BIND_PORT = 53;

/** Podman's DNS settings from the containers.conf chain; later files win, as for every other setting. */
export interface PodmanDnsSettings {
  /** [containers] dns_servers: when set, containers get these instead of the host's nameservers. */
  dnsServers: string[];
  /** [network] dns_bind_port: where aardvark-dns listens on each gateway. */
  dnsBindPort: number;
  /** The file that set each, for evidence. */
  origin: { dnsServers?: string; dnsBindPort?: string };
}

export function mergePodmanDnsSettings(
  documents: { path: string; data: Record<string, unknown> }[],
): PodmanDnsSettings {
  const settings: PodmanDnsSettings = { dnsServers: [], dnsBindPort: DEFAULT_DNS_BIND_PORT, origin: {} };
  for (const { path, data } of documents) {
    const containers = asRecord(data.containers);
    const network = asRecord(data.network);
    if (Array.isArray(containers.dns_servers)) {
      settings.dnsServers = asStringArray(containers.dns_servers);
      settings.origin.dnsServers = path;
    }
    if (typeof network.dns_bind_port === 'number') {
      settings.dnsBindPort = network.dns_bind_port;
      settings.origin.dnsBindPort = path;
    }
  }
  return settings;
}

export const podmanDnsSettings = defineFact<PodmanDnsSettings>('podman:dns-settings', async (facts) =>
  mergePodmanDnsSettings((await facts.get(containersConfDocuments)).documents),
);

/** Where netavark keeps aardvark-dns's state: under /run as root, under the user's runtime folder rootless. */
export function aardvarkStateDir(context: HostContext): string {
  if (context.uid === 0) return '/run/containers/networks/aardvark-dns';
  return `${context.env.XDG_RUNTIME_DIR || `/run/user/${context.uid}`}/containers/networks/aardvark-dns`;
}
