import { aardvarkDir, aardvarkRunning, removeAardvarkRecords } from '../lib/aardvark.js';
import { LabError, clip, output } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { expectFailure, expectResolvesTo } from '../lib/probes.js';
import { proveNoNames, remember } from '../lib/traffic.js';
import { removeStartedWithoutAardvark } from '../lib/without-aardvark.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-aardx';
const AARDVARK = '/usr/lib/podman/aardvark-dns';

async function startPair(lab: Lab): Promise<void> {
  await lab.rootless.start(`${NET}-a`, ['--network', NET]);
  await lab.rootless.startWeb(`${NET}-b`, ['--network', NET]);
  await remember(lab, lab.rootless, NET, NET);
}

/**
 * Generation 1 (podman 4.3): netavark tries to run aardvark-dns and the container's start fails. Generation 2
 * (podman 5.4): podman's lookup skips a file that is not executable, so it warns "binary not found" as for a
 * missing one, starts the containers, and their names do not resolve.
 */
export default {
  kind: 'broken',
  name: 'aardvark-not-executable',
  ids: ['aardvark.missing'],
  description: `${AARDVARK} loses its execute bits: ndlab's rootless netavark cannot start it, so a container on a DNS-enabled rootless network does not start (gen1) or starts without names (gen2)`,
  identity: 'ndlab',
  generations: [1, 2],
  async setup(lab) {
    if (lab.generation === 1) {
      // A running aardvark-dns is only signalled, never executed again: the breakage shows only when it must start.
      const running = await aardvarkRunning((await aardvarkDir('rootless'))!);
      if (running !== undefined) {
        throw new LabError(
          `cannot produce this state: ndlab's aardvark-dns already runs (pid ${running.pid}, networks ${running.networks.join(', ')})`,
        );
      }
    }
    await lab.rootless.network(NET);
    await lab.guard.chmod(AARDVARK, 0o644);
    if (lab.generation === 2) {
      const first = await lab.rootless.tryRun(`${NET}-a`, ['--network', NET]);
      if (first.exitCode !== 0)
        throw new LabError(`podman run with aardvark-dns not executable failed: ${output(first)}`);
      lab.set('warning', /aardvark-dns binary not found[^"\n]*/.exec(first.stderr)?.[0] ?? 'no warning');
      await lab.rootless.startWeb(`${NET}-b`, ['--network', NET]);
      await remember(lab, lab.rootless, NET, NET);
    }
  },
  proveBroken: async (lab) =>
    lab.generation === 2
      ? `podman run warned "${clip(lab.get('warning'), 70)}"; ${await proveNoNames(lab.rootless, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`))}`
      : expectFailure(
          await lab.rootless.tryRun(`${NET}-a`, ['--network', NET]),
          /Error while applying dns entries: Permission denied[^\n]*/,
          `podman run --network ${NET} (ndlab)`,
        ),
  expect: () => [{ id: 'aardvark.missing', severity: 'error', subject: { network: NET }, title: /not executable/ }],
  fix: {
    kind: 'printed',
    runAs: 'root',
    async then(lab) {
      if (lab.generation === 2) {
        const removal = await removeStartedWithoutAardvark(lab.rootless, `${NET}-a`, `${NET}-b`);
        await startPair(lab);
        return `containers recreated (fix summary)${removal !== undefined ? `; ${removal}` : ''}`;
      }
      // The failed start left the container's record in aardvark's file for the network, and `podman rm` does
      // not remove it: recreated, the name would resolve to the dead address too. netdoctor's fix does not say
      // so (reported); the lab removes that record before recreating the containers.
      const id = await lab.rootless.must(['inspect', '--format', '{{.Id}}', `${NET}-a`]);
      await lab.rootless.remove(`${NET}-a`);
      const stale = await removeAardvarkRecords('rootless', NET, id);
      await startPair(lab);
      return `containers recreated (fix summary)${stale > 0 ? `; lab step not in the printed fix: ${stale} stale aardvark record of the failed start removed` : ''}`;
    },
  },
  async proveFixed(lab) {
    return expectResolvesTo(lab.rootless, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`), lab.get(`${NET}-a.ip`));
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
