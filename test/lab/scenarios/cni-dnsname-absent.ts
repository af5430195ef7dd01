import { LabError } from '../lib/exec.js';
import { expectProbe, lookup } from '../lib/probes.js';
import type { Lab } from '../lib/lab.js';
import type { BrokenScenario } from '../scenario.js';
import { conflistPlugins, proveNoNames, remember } from '../lib/traffic.js';

const NET = 'ndl-nodns';
const SUBNET = '10.90.211.0/24';
const DNSNAME = '/usr/lib/cni/dnsname';

async function startPair(lab: Lab): Promise<void> {
  await lab.cni.start(`${NET}-a`, ['--network', NET]);
  await lab.cni.startWeb(`${NET}-b`, ['--network', NET]);
  await remember(lab, lab.cni, NET, NET);
}

export default {
  kind: 'broken',
  name: 'cni-dnsname-absent',
  ids: ['cni.dnsname_absent'],
  description: `CNI store: a network created while ${DNSNAME} was missing (put back afterwards) has no dnsname plugin, so its containers cannot resolve each other`,
  identity: 'cni',
  async setup(lab) {
    await lab.guard.move(DNSNAME);
    await lab.cni.network(NET, ['--subnet', SUBNET]);
    // Installed again: the network keeps what it was created with.
    await lab.guard.undoPath(DNSNAME);
    await startPair(lab);
  },
  async proveBroken(lab) {
    const plugins = await conflistPlugins(NET);
    if (plugins.includes('dnsname')) throw new LabError(`${NET}.conflist has dnsname`);
    return `${NET}.conflist plugins: ${plugins.join(',')}; ${await proveNoNames(lab.cni, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`))}`;
  },
  expect: () => [{ id: 'cni.dnsname_absent', severity: 'warning', subject: { engine: 'podman', network: NET } }],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    adapt: (commands) => ({
      commands: commands.map((command) =>
        command.startsWith('podman network create ')
          ? command.replace('podman network create ', `podman network create --subnet ${SUBNET} `)
          : command,
      ),
      note: `--subnet ${SUBNET} added to \`network create\`: lab CNI networks stay off the 10.89 range netavark allocates from`,
    }),
    async then(lab) {
      // `network rm -f` removed the containers: reattach them, as the fix summary says.
      await startPair(lab);
      return 'containers recreated on it';
    },
  },
  async proveFixed(lab) {
    const plugins = await conflistPlugins(NET);
    const found = await lookup(lab.cni, `${NET}-b`, `${NET}-a`, lab.get(`${NET}.dns`));
    expectProbe(found, 'pass');
    if (found.address !== lab.get(`${NET}-a.ip`))
      throw new LabError(`resolved to ${found.address}, not ${lab.get(`${NET}-a.ip`)}`);
    return `plugins now ${plugins.join(',')}; ${found.detail}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
