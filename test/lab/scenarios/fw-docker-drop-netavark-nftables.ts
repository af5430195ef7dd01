import { LabError } from '../lib/exec.js';
import { egress, expectProbe, http } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-f2nft';

/**
 * Found by generation 2: docker 26 and podman 5 on one freshly booted host. dockerd turns IPv4 forwarding on
 * and so sets the FORWARD policy of `ip filter` to DROP; netavark's nftables driver accepts podman's traffic in
 * its own `table inet netavark`, but an accept in one table does not pass a packet through another table's
 * chain on the same hook. With bridge-nf-call-iptables = 1 even two containers on one podman bridge lose each
 * other, and the outside in any case. With netavark's iptables driver (generation 1, podman 4) its accepts sat
 * in the same FORWARD chain, before the policy.
 */
export default {
  kind: 'broken',
  name: 'fw-docker-drop-netavark-nftables',
  ids: ['fw.br_netfilter_forward_drop', 'fw.foreign_forward_drop'],
  description:
    "docker 26 sets ip filter FORWARD's policy to DROP at start (it turned forwarding on); podman 5's netavark accepts its traffic only in table inet netavark, so two containers on one podman network cannot reach each other (nor 198.51.100.2)",
  identity: 'root',
  generations: [2],
  environment: ['docker'],
  async setup(lab) {
    const policy = (await lab.mustRoot(['iptables', '-w', '5', '-S', 'FORWARD'])).split('\n')[0] ?? '';
    if (policy !== '-P FORWARD DROP')
      throw new LabError(`this scenario needs docker's FORWARD DROP policy; iptables says "${policy}"`);
    await pair(lab, lab.podman, NET);
    lab.set('bridge', await lab.podman.bridge(NET));
  },
  async proveBroken(lab) {
    const peer = expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'fail');
    const outside = expectProbe(await egress(lab.podman, `${NET}-a`), 'fail');
    return `${peer}; ${outside}; ip filter FORWARD policy DROP, netavark's accepts only in table inet netavark`;
  },
  expect: (lab) => [
    {
      id: 'fw.br_netfilter_forward_drop',
      severity: 'error',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
    },
    {
      id: 'fw.foreign_forward_drop',
      severity: 'error',
      subject: { engine: 'podman', network: NET, interface: lab.get('bridge') },
    },
  ],
  // `iptables -I FORWARD 1 -i <bridge> -o <bridge> -j ACCEPT` for the bridge; for the way out
  // `iptables -I DOCKER-USER 1 -i <bridge> -j ACCEPT` and its replies `-o <bridge> ... RELATED,ESTABLISHED`.
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const peer = expectProbe(await http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass');
    const outside = expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    return `${peer}; ${outside}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
