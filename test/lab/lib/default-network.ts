import { LabError } from './exec.js';
import type { Engine } from './engine.js';
import type { EngineKind } from './engine-kind.js';
import type { Lab } from './lab.js';
import { expectProbe, lookup, nameservers } from './probes.js';
import { appNetworkFix, proveNoNames } from './traffic.js';
import type { BrokenScenario } from '../scenario.js';

/**
 * Two containers started without --network land on the engine's default network (podman's `podman`, docker's
 * `bridge`), which has no DNS. netdoctor's printed fix creates a user network (named "app" in its example: the
 * lab names it <prefix>-app), connects both containers to it and disconnects them from the default network.
 */
export function defaultNetworkScenario(kind: EngineKind, name: string, prefix: string): BrokenScenario {
  const app = `${prefix}-app`;
  const engineOf = (lab: Lab): Engine => lab.engine(kind);
  const containers = [`${prefix}-a`, `${prefix}-b`];
  return {
    kind: 'broken',
    name,
    ids: ['dns.default_network_no_dns'],
    description: `${kind}: two containers on the default network "${kind === 'docker' ? 'bridge' : 'podman'}" cannot resolve each other's names; after the printed fix (a user network) they can`,
    identity: 'root',
    generations: [1, 2],
    environment: kind === 'docker' ? ['docker'] : [],
    async setup(lab) {
      const engine = engineOf(lab);
      await engine.start(`${prefix}-a`, []);
      await engine.startWeb(`${prefix}-b`, []);
      lab.set('a.ip', await engine.ip(`${prefix}-a`, engine.defaultNetwork));
      // Podman's default network has no DNS server on its gateway; docker's default bridge has no embedded DNS.
      lab.set('server', kind === 'docker' ? '127.0.0.11' : await engine.gateway(engine.defaultNetwork));
    },
    proveBroken: (lab) => proveNoNames(engineOf(lab), `${prefix}-b`, `${prefix}-a`, lab.get('server')),
    expect: () => [
      {
        id: 'dns.default_network_no_dns',
        severity: 'warning',
        subject: { engine: kind === 'docker' ? 'docker' : 'podman', containers },
      },
    ],
    fix: appNetworkFix(engineOf, app),
    async proveFixed(lab) {
      const engine = engineOf(lab);
      const server = kind === 'docker' ? '127.0.0.11' : await engine.gateway(app);
      const servers = await nameservers(engine, `${prefix}-b`);
      const found = await lookup(engine, `${prefix}-b`, `${prefix}-a`, server);
      expectProbe(found, 'pass');
      const address = await engine.ip(`${prefix}-a`, app);
      if (found.address !== address)
        throw new LabError(`${prefix}-a resolved to ${found.address}, not its ${app} address ${address}`);
      return `on ${app}: resolv.conf lists ${servers.join(', ')}; ${found.detail}`;
    },
    restore: (lab) => lab.defaultRestore(),
  };
}
