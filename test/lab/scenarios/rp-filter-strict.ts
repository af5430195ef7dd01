import type { BrokenScenario } from '../scenario.js';
import { expectProbe } from '../lib/probes.js';
import { hostHttp } from './failure-modes-common.js';

const NET_A = 'ndl-rp1';
const NET_B = 'ndl-rp2';
const NAME = 'ndl-rp-web';
const PORT = 18482;
/**
 * The host's own address on the fake uplink (not a bridge's, not loopback): the connection leaves from it, reaches
 * the container on the network netavark forwards the port to, and the container answers by its default route,
 * on the other network.
 */
const URL = `http://198.51.100.1:${PORT}/ok`;

export default {
  kind: 'broken',
  name: 'rp-filter-strict',
  ids: ['net.rp_filter_strict'],
  description: `net.ipv4.conf.all and default.rp_filter = 1 (a hardening profile), then a rootful podman container on two networks publishing ${PORT}: a connection to the published port through a host address times out`,
  identity: 'root',
  async setup(lab) {
    await lab.guard.sysctl('net.ipv4.conf.all.rp_filter', '1');
    await lab.guard.sysctl('net.ipv4.conf.default.rp_filter', '1');
    await lab.podman.network(NET_A, ['--subnet', '10.89.191.0/24']);
    await lab.podman.network(NET_B, ['--subnet', '10.89.192.0/24']);
    await lab.podman.startWeb(NAME, ['--network', `${NET_A},${NET_B}`, '-p', `${PORT}:80`]);
  },
  proveBroken: async (lab) => expectProbe(await hostHttp(lab, URL), 'fail'),
  expect: () => [
    { id: 'net.rp_filter_strict', severity: 'warning', subject: { engine: 'podman', containers: [NAME] } },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await hostHttp(lab, URL), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
