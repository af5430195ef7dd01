import { LabError } from '../lib/exec.js';
import { queryAlternative } from '../lib/guard.js';
import type { Lab } from '../lib/lab.js';
import { EXT_IP } from '../lib/paths.js';
import { egress, expectProbe, http } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { recordFirewall } from './fw-common.js';

const NET = 'ndl-f2sp';
/**
 * The scenario's own network namespace: once iptables-legacy has written to a table, the kernel keeps that table
 * registered in its namespace until the namespace ends. In the host's namespace that would be until reboot.
 */
const NETNS = 'ndl-split';
/** The namespace's uplink to the fake outside host (netns ndext), on a test network of its own. */
const UPLINK = {
  inside: 'ndl-sp0',
  outside: 'ndl-sp1',
  address: '203.0.113.1/24',
  peer: '203.0.113.2',
  peerCidr: '203.0.113.2/24',
};
const TOOLS = ['iptables', 'ip6tables'] as const;

async function inNetns(lab: Lab, argv: string[]): Promise<string> {
  return lab.mustRoot([...lab.hostPrefix(), ...argv]);
}

async function bothProbes(
  lab: Lab,
): Promise<{ outside: Awaited<ReturnType<typeof egress>>; peer: Awaited<ReturnType<typeof http>> }> {
  const [outside, peer] = await Promise.all([
    egress(lab.podman, `${NET}-a`),
    http(lab.podman, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`),
  ]);
  return { outside, peer };
}

export default {
  kind: 'broken',
  name: 'fw-iptables-backend-split',
  ids: ['fw.iptables_backend_split'],
  description: `in a network namespace of its own: a FORWARD DROP policy written with iptables-nft (as dockerd sets it), then the iptables alternative switched to iptables-legacy, so netavark writes its accepts to legacy and the nft policy drops ${EXT_IP} and the peer`,
  identity: 'root',
  netns: NETNS,
  async setup(lab) {
    for (const tool of TOOLS) {
      const { value } = await queryAlternative(tool);
      if (!value.endsWith('-nft')) throw new LabError(`this scenario starts from iptables-nft; ${tool} is ${value}`);
    }
    await lab.guard.addNetns(NETNS);
    await lab.mustRoot([
      'ip',
      'link',
      'add',
      UPLINK.inside,
      'netns',
      NETNS,
      'type',
      'veth',
      'peer',
      'name',
      UPLINK.outside,
      'netns',
      'ndext',
    ]);
    await lab.mustRoot(['ip', '-n', NETNS, 'address', 'add', UPLINK.address, 'dev', UPLINK.inside]);
    await lab.mustRoot(['ip', '-n', 'ndext', 'address', 'add', UPLINK.peerCidr, 'dev', UPLINK.outside]);
    for (const [netns, link] of [
      [NETNS, 'lo'],
      [NETNS, UPLINK.inside],
      ['ndext', UPLINK.outside],
    ] as const)
      await lab.mustRoot(['ip', '-n', netns, 'link', 'set', link, 'up']);
    await lab.mustRoot(['ip', '-n', NETNS, 'route', 'add', 'default', 'via', UPLINK.peer]);
    await inNetns(lab, ['iptables-nft', '-w', '5', '-P', 'FORWARD', 'DROP']);
    for (const tool of TOOLS) await lab.guard.setAlternative(tool, `/usr/sbin/${tool}-legacy`);
    // No DNS: aardvark-dns serves every network from one process, which may already run in the host's namespace.
    await pair(lab, lab.podman, NET, ['--disable-dns']);
  },
  async proveBroken(lab) {
    const legacy = (await inNetns(lab, ['iptables-legacy', '-w', '5', '-S', 'NETAVARK_FORWARD']))
      .split('\n')
      .filter((line) => line.startsWith('-A ')).length;
    const nftPolicy = (await inNetns(lab, ['iptables-nft', '-w', '5', '-S', 'FORWARD'])).split('\n')[0];
    const { outside, peer } = await bothProbes(lab);
    return recordFirewall(
      lab,
      'broken',
      `${legacy} NETAVARK_FORWARD rule(s) in iptables-legacy, iptables-nft says ${nftPolicy}; ${expectProbe(outside, 'fail')}; ${expectProbe(peer, 'fail')}`,
    );
  },
  expect: () => [{ id: 'fw.iptables_backend_split', severity: 'warning' }],
  // The alternatives back to iptables-nft, the legacy tables emptied, `podman network reload --all`: in the namespace.
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const { outside, peer } = await bothProbes(lab);
    return recordFirewall(lab, 'fixed', `${expectProbe(outside, 'pass')}; ${expectProbe(peer, 'pass')}`);
  },
  // Containers first, in the namespace, while netavark still finds its rules where it wrote them; then the
  // guard puts the alternatives back and deletes the namespace (its veth pair and legacy tables end with it).
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
