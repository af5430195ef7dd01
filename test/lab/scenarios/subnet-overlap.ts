import { egress, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-p2ov';
const SUBNET = '10.89.177.0/24';
/** Outside the overlapping route: a's traffic keeps its way back. */
const A_IP = '10.89.177.10';
/** Inside it: replies to b leave through the VPN-like link. */
const B_IP = '10.89.177.200';
const VPN_ROUTE = '10.89.177.128/25';
/** This kernel has no dummy interfaces (CONFIG_DUMMY is not set): a veth pair stands in for a VPN link. */
const VPN_LINK = 'ndl-p2vpn';

export default {
  kind: 'broken',
  name: 'subnet-overlap',
  ids: ['net.subnet_overlaps_host_route'],
  description: `podman network ${SUBNET}, then a VPN-like route ${VPN_ROUTE} on a veth: the container at ${B_IP} loses the outside, the one at ${A_IP} keeps it`,
  identity: 'root',
  async setup(lab) {
    await lab.podman.network(NET, ['--subnet', SUBNET]);
    await lab.podman.start(`${NET}-a`, ['--network', NET, '--ip', A_IP]);
    await lab.podman.start(`${NET}-b`, ['--network', NET, '--ip', B_IP]);
    lab.set('link', VPN_LINK);
    await lab.mustRoot(['ip', 'link', 'add', VPN_LINK, 'type', 'veth', 'peer', 'name', `${VPN_LINK}-p`]);
    await lab.mustRoot(['ip', 'link', 'set', VPN_LINK, 'up']);
    await lab.mustRoot(['ip', 'link', 'set', `${VPN_LINK}-p`, 'up']);
    await lab.mustRoot(['ip', 'route', 'add', VPN_ROUTE, 'dev', VPN_LINK]);
  },
  async proveBroken(lab) {
    const lost = expectProbe(await egress(lab.podman, `${NET}-b`), 'fail');
    const kept = expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    return `${lost}; ${kept}`;
  },
  expect: () => [
    {
      id: 'net.subnet_overlaps_host_route',
      severity: 'error',
      subject: { engine: 'podman', network: NET },
      title: new RegExp(`${VPN_ROUTE.replaceAll('.', '\\.')} on ${VPN_LINK}`),
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      lab.podman.trackNetwork(`${NET}-moved`);
      return `${NET}-moved tracked for cleanup`;
    },
  },
  proveFixed: async (lab) => expectProbe(await egress(lab.podman, `${NET}-b`), 'pass'),
  async restore(lab) {
    if (lab.maybe('link') !== undefined) await lab.root(['ip', 'link', 'del', VPN_LINK]);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
