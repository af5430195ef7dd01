import { LabError } from '../lib/exec.js';
import { EXT_IP } from '../lib/paths.js';
import { expectProbe, lookup, nameservers } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NAME = 'ndl-dnslo';

export default {
  kind: 'broken',
  name: 'dns-upstream-loopback-docker',
  ids: ['dns.upstream_unreachable'],
  description:
    'a docker container on the default bridge started with --dns 127.0.0.1 (a resolver of the host): inside the container that is its own loopback, where nothing listens (decided without --probe-dns)',
  identity: 'root',
  async setup(lab) {
    await lab.docker.start(NAME, ['--dns', '127.0.0.1']);
  },
  async proveBroken(lab) {
    const servers = await nameservers(lab.docker, NAME);
    if (servers.join(' ') !== '127.0.0.1') throw new LabError(`${NAME}'s resolv.conf lists ${servers.join(', ')}`);
    return expectProbe(await lookup(lab.docker, NAME, 'ext.test', '127.0.0.1', 3), 'fail');
  },
  expect: () => [
    {
      id: 'dns.upstream_unreachable',
      severity: 'error',
      subject: { engine: 'docker', containers: [NAME] },
      title: /^DNS server 127\.0\.0\.1 does not answer from ndl-dnslo's network namespace/,
    },
  ],
  fix: {
    kind: 'manual',
    reason: `the finding says to recreate the container with a server its network reaches: the lab recreates it with --dns ${EXT_IP}`,
    async apply(lab) {
      await lab.docker.remove(NAME);
      await lab.docker.start(NAME, ['--dns', EXT_IP]);
      return `${NAME} recreated with --dns ${EXT_IP}`;
    },
  },
  proveFixed: async (lab) => expectProbe(await lookup(lab.docker, NAME, 'ext.test', EXT_IP, 3), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
