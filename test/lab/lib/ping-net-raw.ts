import type { EngineKind } from './engine-kind.js';
import type { Lab } from './lab.js';
import { egress, expectProbe, ping } from './probes.js';
import type { BrokenScenario } from '../scenario.js';

/**
 * A container without CAP_NET_RAW whose group is outside the ping_group_range of its network namespace: ping
 * fails with "permission denied" although the network works. netdoctor prints a verifying command (a throwaway
 * container of the same image and network that pings with NET_RAW); the fix its summary names is to recreate
 * the container with --cap-add NET_RAW added to the options it was created with, which the lab then does.
 */
export function pingScenario(
  kind: EngineKind,
  name: string,
  network: string,
  options: string[],
  description: string,
): BrokenScenario {
  const container = `${network}-a`;
  return {
    kind: 'broken',
    name,
    ids: ['ctr.ping_without_net_raw'],
    description,
    identity: 'root',
    generations: [1, 2],
    environment: kind === 'docker' ? ['docker'] : [],
    async setup(lab: Lab) {
      const engine = lab.engine(kind);
      await engine.network(network);
      await engine.start(container, ['--network', network, ...options]);
    },
    async proveBroken(lab) {
      const engine = lab.engine(kind);
      const works = expectProbe(await egress(engine, container), 'pass');
      return `${expectProbe(await ping(engine, container), 'fail')}, while ${works.replace(`${container} `, '')}`;
    },
    expect: () => [
      {
        id: 'ctr.ping_without_net_raw',
        severity: 'warning',
        subject: { engine: kind === 'docker' ? 'docker' : 'podman', containers: [container] },
      },
    ],
    fix: {
      kind: 'printed',
      runAs: 'identity',
      async then(lab) {
        const engine = lab.engine(kind);
        await engine.remove(container);
        await engine.start(container, ['--network', network, ...options, '--cap-add', 'NET_RAW']);
        return `${container} recreated with its options plus --cap-add NET_RAW`;
      },
    },
    proveFixed: async (lab) => expectProbe(await ping(lab.engine(kind), container), 'pass'),
    restore: (lab) => lab.defaultRestore(),
  };
}
