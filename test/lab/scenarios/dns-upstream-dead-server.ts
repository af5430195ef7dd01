import { access } from 'node:fs/promises';
import { LabError } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { EXT_IP } from '../lib/paths.js';
import { expectProbe, lookup, nameservers } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { foreignContainers } from './failure-modes-common.js';

const NET = 'ndl-dnsup';
const DROP_IN_DIR = '/etc/containers/containers.conf.d';
const DROP_IN = `${DROP_IN_DIR}/ndl-dns-servers.conf`;
/** An address on the fake uplink's segment where nothing answers: a DNS server that was retired. */
const DEAD = '198.51.100.3';

async function extTest(lab: Lab, server: string) {
  return lookup(lab.podman, `${NET}-a`, 'ext.test', server, 3);
}

export default {
  kind: 'broken',
  name: 'dns-upstream-dead-server',
  ids: ['dns.upstream_unreachable'],
  description: `containers.conf dns_servers = ["${DEAD}"] (a server that is gone) in a drop-in: rootful podman containers get only that server, every outside lookup times out; netdoctor runs with --probe-dns`,
  identity: 'root',
  // The probe asks every upstream of every running container: only the lab's own may run, and the host's
  // resolver must be the lab's fake one.
  netdoctorCommand: () => ['--probe-dns'],
  async setup(lab) {
    const others = await foreignContainers(lab);
    if (others.length > 0)
      throw new LabError(`other sessions' containers run (${others.join(', ')}): --probe-dns would ask their servers`);
    await lab.guard.writeFile('/etc/resolv.conf', `nameserver ${EXT_IP}\n`);
    if (
      !(await access(DROP_IN_DIR).then(
        () => true,
        () => false,
      ))
    )
      await lab.guard.tree(DROP_IN_DIR);
    await lab.guard.writeFile(DROP_IN, `[containers]\ndns_servers = ["${DEAD}"]\n`);
    await lab.podman.network(NET, ['--subnet', '10.89.193.0/24']);
    await lab.podman.start(`${NET}-a`, ['--network', NET]);
    await lab.podman.startWeb(`${NET}-b`, ['--network', NET]);
  },
  async proveBroken(lab) {
    const servers = await nameservers(lab.podman, `${NET}-a`);
    if (servers.join(' ') !== DEAD) throw new LabError(`${NET}-a's resolv.conf lists ${servers.join(', ')}`);
    const dead = expectProbe(await extTest(lab, DEAD), 'fail');
    // The container network itself reaches the outside DNS server: only the configured one is gone.
    const alive = expectProbe(await extTest(lab, EXT_IP), 'pass');
    return `${NET}-a's resolv.conf lists only ${DEAD}; ${dead}; ${alive}`;
  },
  expect: () => [
    {
      id: 'dns.upstream_unreachable',
      severity: 'error',
      subject: { engine: 'podman', containers: [`${NET}-a`, `${NET}-b`] },
      title: /^DNS server 198\.51\.100\.3 does not answer/,
    },
  ],
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const servers = await nameservers(lab.podman, `${NET}-a`);
    if (servers.includes(DEAD)) throw new LabError(`${NET}-a's resolv.conf still lists ${DEAD}`);
    const gateway = await lab.podman.gateway(NET);
    // aardvark-dns on the gateway forwards to the host's resolver, the lab's fake outside DNS server.
    const found = expectProbe(await extTest(lab, gateway), 'pass');
    return `${NET}-a's resolv.conf lists ${servers.join(', ')}; ${found}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
