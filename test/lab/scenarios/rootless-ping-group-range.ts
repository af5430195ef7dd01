import { egress, expectProbe, ping } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const CONTAINER = 'ndl-pgr-a';

export default {
  kind: 'broken',
  name: 'rootless-ping-group-range',
  ids: ['rootless.ping_group_range'],
  description:
    'host net.ipv4.ping_group_range "1 0" (the kernel default): ndlab\'s container, even WITH --cap-add NET_RAW, gets 100% loss pinging 198.51.100.2 through slirp4netns (gen1) or pasta (gen2)',
  identity: 'ndlab',
  generations: [1, 2],
  async setup(lab) {
    await lab.guard.sysctl('net.ipv4.ping_group_range', '1 0');
    await lab.rootless.start(CONTAINER, ['--cap-add', 'NET_RAW']);
  },
  async proveBroken(lab) {
    const tcp = expectProbe(await egress(lab.rootless, CONTAINER), 'pass');
    return `${expectProbe(await ping(lab.rootless, CONTAINER, undefined, 2), 'fail')}, while ${tcp.replace(`${CONTAINER} `, '')}`;
  },
  expect: () => [{ id: 'rootless.ping_group_range', severity: 'warning' }],
  fix: { kind: 'printed', runAs: 'root' },
  proveFixed: async (lab) => expectProbe(await ping(lab.rootless, CONTAINER), 'pass'),
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
