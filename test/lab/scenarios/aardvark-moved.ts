import { LabError, clip, output } from '../lib/exec.js';
import { expectResolvesTo } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { proveNoNames, remember } from '../lib/traffic.js';
import { removeStartedWithoutAardvark } from '../lib/without-aardvark.js';

const NET = 'ndl-aardm';
const AARDVARK = '/usr/lib/podman/aardvark-dns';

export default {
  kind: 'broken',
  name: 'aardvark-moved',
  ids: ['aardvark.missing'],
  description: `${AARDVARK} moved away: podman only warns, the containers start, and their names do not resolve on a DNS-enabled network`,
  identity: 'root',
  generations: [1, 2],
  async setup(lab) {
    await lab.podman.network(NET);
    await lab.guard.move(AARDVARK);
    const first = await lab.podman.tryRun(`${NET}-a`, ['--network', NET]);
    if (first.exitCode !== 0) throw new LabError(`podman run without aardvark-dns failed: ${output(first)}`);
    lab.set('warning', /aardvark-dns binary not found[^"\n]*/.exec(first.stderr)?.[0] ?? 'no warning');
    await lab.podman.startWeb(`${NET}-b`, ['--network', NET]);
    await remember(lab, lab.podman, NET, NET);
  },
  async proveBroken(lab) {
    return `podman run warned "${clip(lab.get('warning'), 70)}"; ${await proveNoNames(lab.podman, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`))}`;
  },
  expect: () => [{ id: 'aardvark.missing', severity: 'error', subject: { network: NET } }],
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints a package (re)install, which the lab never runs; the lab puts the binary back and recreates the containers as the fix summary says',
    async apply(lab) {
      // Containers first, then the binary (LAB-NOTES: the other order makes netavark 1.4's teardown fail).
      const removal = await removeStartedWithoutAardvark(lab.podman, `${NET}-a`, `${NET}-b`);
      await lab.guard.undoPath(AARDVARK);
      await lab.podman.start(`${NET}-a`, ['--network', NET]);
      await lab.podman.startWeb(`${NET}-b`, ['--network', NET]);
      await remember(lab, lab.podman, NET, NET);
      return `containers removed${removal !== undefined ? ` (${removal})` : ''}, aardvark-dns put back, containers recreated`;
    },
  },
  async proveFixed(lab) {
    return expectResolvesTo(lab.podman, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`), lab.get(`${NET}-a.ip`));
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
