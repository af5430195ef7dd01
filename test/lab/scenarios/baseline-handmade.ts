import { LabError } from '../lib/exec.js';
import { attachNamespace, must, pingFrom } from '../lib/handmade.js';
import type { BaselineScenario } from '../scenario.js';

const P = 'ndl-hb';
const BRIDGE = `${P}-br`;
const LONE = `${P}-lone`;
const LINKED = `${P}-p2p`;
const HOST_END = `${P}-v`;

export default {
  kind: 'baseline',
  name: 'baseline-handmade',
  description: `hand-made objects nothing uses: bridge ${BRIDGE} (up, 10.231.10.1/24, no port), namespace ${LONE} with loopback only, namespace ${LINKED} on a veth to the host (10.231.11.0/30, no default route)`,
  identity: 'root',
  async setup(lab) {
    await lab.hostGuard.sweepRulesAfterwards(`${P}-|10\\.231\\.1[01]\\.`);
    await lab.hostGuard.addLink(BRIDGE, ['ip', 'link', 'add', BRIDGE, 'type', 'bridge']);
    await lab.mustRoot(['ip', 'link', 'set', BRIDGE, 'up']);
    await lab.mustRoot(['ip', 'addr', 'add', '10.231.10.1/24', 'dev', BRIDGE]);
    await lab.guard.addNetns(LONE);
    await lab.mustRoot(['ip', '-n', LONE, 'link', 'set', 'lo', 'up']);
    await attachNamespace(lab, LINKED, HOST_END, undefined, '10.231.11.2/30', undefined);
    await lab.mustRoot(['ip', 'addr', 'add', '10.231.11.1/30', 'dev', HOST_END]);
  },
  async proveHealthy(lab) {
    const lone = await lab.root(['ip', '-n', LONE, '-o', 'link', 'show']);
    if (lone.stdout.trim().split('\n').length !== 1) throw new LabError(`${LONE} should hold loopback only`);
    return `${must(await pingFrom(LINKED, '10.231.11.1'), 'pass')}; ${LONE} holds loopback only; ${BRIDGE} has no port`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
