import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import { podmanDnsSettings } from '../../src/facts/podman-dns.js';
import { hostSnapshot, labState, recordedHost, type Recording } from '../helpers/recordings.js';

describe('podmanDnsSettings', () => {
  it("reads dns_servers and dns_bind_port from the drop-ins the lab's printed fixes wrote", async () => {
    const settings = async (recording: Recording) => {
      const host = recordedHost(recording);
      return new Facts(host).get(podmanDnsSettings);
    };
    expect(await settings(labState('resolver-loopback-only.fixed'))).toMatchObject({
      dnsServers: ['198.51.100.2'],
      dnsBindPort: 53,
      origin: { dnsServers: '/etc/containers/containers.conf.d/50-dns-servers.conf' },
    });
    expect(await settings(labState('port53-taken-on-gateway.fixed'))).toMatchObject({
      dnsServers: [],
      dnsBindPort: 1153,
      origin: { dnsBindPort: '/etc/containers/containers.conf.d/50-aardvark-port.conf' },
    });
    expect(await settings(hostSnapshot('live-root-icc-off'))).toEqual({ dnsServers: [], dnsBindPort: 53, origin: {} });
  });
});
