import { LabError } from '../lib/exec.js';
import { egress, expectProbe, http, lookup } from '../lib/probes.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-fzr';

/**
 * firewalld runs, netavark (nftables driver) binds the network's subnet to the `trusted` zone when its first
 * container starts; `firewall-cmd --reload` drops that runtime binding, and the container traffic falls into
 * the default zone `public`, which rejects it (`No route to host`: firewalld's `reject with icmpx
 * admin-prohibited`), also between the two containers on the bridge and towards the gateway's DNS.
 */
export default {
  kind: 'broken',
  name: 'fw-firewalld-reload',
  ids: ['fw.firewalld_zone_blocks'],
  description:
    "firewalld runs; `firewall-cmd --reload` drops the binding of a podman network's subnet to the trusted zone: its containers' traffic falls into the default zone public and is rejected",
  identity: 'root',
  generations: [2],
  environment: ['firewalld'],
  async setup(lab) {
    await pair(lab, lab.podman, NET);
    const subnet = (
      await lab.podman.must(['network', 'inspect', NET, '--format', '{{range .Subnets}}{{.Subnet}}{{end}}'])
    ).trim();
    lab.set('subnet', subnet);
    lab.set('bridge', await lab.podman.bridge(NET));
    const trusted = await lab.mustRoot(['firewall-cmd', '--zone=trusted', '--list-sources']);
    if (!trusted.split(/\s+/).includes(subnet))
      throw new LabError(`netavark did not bind ${subnet} to the trusted zone (trusted sources: "${trusted.trim()}")`);
    await proveHealthyPair(lab, lab.podman, NET);
    await lab.mustRoot(['firewall-cmd', '--reload']);
  },
  async proveBroken(lab) {
    const zone = await lab.root(['firewall-cmd', `--get-zone-of-source=${lab.get('subnet')}`]);
    if (zone.exitCode !== 2)
      throw new LabError(`the subnet is still bound to a zone after the reload (${zone.stdout.trim()})`);
    const peer = expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'fail');
    const outside = expectProbe(await egress(lab.podman, `${NET}-a`), 'fail');
    const names = expectProbe(await lookup(lab.podman, `${NET}-a`, `${NET}-b`, lab.get(`${NET}.dns`)), 'fail');
    return `${lab.get('subnet')} in no zone after firewall-cmd --reload; ${peer}; ${outside}; ${names}`;
  },
  expect: (lab) => [
    {
      id: 'fw.firewalld_zone_blocks',
      severity: 'error',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
      title: /zone public/,
    },
  ],
  // `podman network reload --all` (no systemd here: netavark-firewalld-reload.service is not printed)
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const healthy = await proveHealthyPair(lab, lab.podman, NET);
    return `${healthy}; ${lab.get('subnet')} back in zone trusted`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
