import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LabError, brief, ok } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { EXT_IP, LAB_STATE } from '../lib/paths.js';
import { egress, expectProbe, type ProbeResult } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-p2mtu';
/**
 * The host's side of the veth to the outside host: packets larger than its MTU coming back are dropped, with no ICMP.
 */
const UPLINK = 'ndup';
const UPLINK_MTU = '1280';
const OUTSIDE_NETNS = 'ndext';
const OUTSIDE_LINK = 'ndup-x';
/**
 * Served by the outside host's httpd (it serves /var/lib/netdoctor-lab/www): large enough to need full-size segments.
 */
const BIG_FILE = `${LAB_STATE}/www/ndl-p2mtu-big`;
const BIG_URL = `http://${EXT_IP}/ndl-p2mtu-big`;

async function download(lab: Lab, from: string): Promise<ProbeResult> {
  const raw = await lab.podman.exec(from, ['timeout', '6', 'wget', '-q', '-O', '/dev/null', BIG_URL], 20_000);
  return {
    ok: raw.exitCode === 0,
    detail:
      raw.exitCode === 0
        ? `${from} downloaded ${BIG_URL}`
        : `${from} could not download ${BIG_URL} (exit ${raw.exitCode})`,
    raw,
  };
}

export default {
  kind: 'broken',
  name: 'mtu-small-uplink',
  ids: ['mtu.exceeds_path_mtu'],
  description: `${UPLINK} (towards 198.51.100.2) set to MTU ${UPLINK_MTU} while a podman network keeps 1500: small requests pass, a 96 kB download from a container stalls, the host's own download works`,
  identity: 'root',
  async setup(lab) {
    await lab.guard.writeFile(BIG_FILE, randomBytes(72 * 1024).toString('base64'));
    await lab.podman.network(NET);
    await lab.podman.start(`${NET}-a`, ['--network', NET]);
    lab.set('mtu', (await readFile(`/sys/class/net/${UPLINK}/mtu`, 'utf8')).trim());
    await lab.mustRoot(['ip', 'link', 'set', UPLINK, 'mtu', UPLINK_MTU]);
    // A real link carries frames of its MTU; between veths, offloaded super-packets would slip past the MTU check.
    const [peer] = JSON.parse(
      await lab.mustRoot(['ip', 'netns', 'exec', OUTSIDE_NETNS, 'ip', '-j', '-d', 'link', 'show', OUTSIDE_LINK]),
    ) as { gso_max_size?: number }[];
    lab.set('gso', String(peer?.gso_max_size ?? 65536));
    await lab.mustRoot([
      'ip',
      'netns',
      'exec',
      OUTSIDE_NETNS,
      'ip',
      'link',
      'set',
      OUTSIDE_LINK,
      'gso_max_size',
      '1500',
    ]);
  },
  async proveBroken(lab) {
    const host = await lab.root(['timeout', '6', 'busybox', 'wget', '-q', '-O', '/dev/null', BIG_URL], 20_000);
    if (!ok(host)) throw new LabError(`the host itself cannot download ${BIG_URL} (${brief(host)})`);
    const small = expectProbe(await egress(lab.podman, `${NET}-a`), 'pass');
    const big = expectProbe(await download(lab, `${NET}-a`), 'fail');
    return `the host downloads ${BIG_URL}; ${small}; ${big}`;
  },
  expect: () => [
    {
      id: 'mtu.exceeds_path_mtu',
      severity: 'warning',
      subject: { network: NET },
      title: new RegExp(`${UPLINK}.* only ${UPLINK_MTU}`),
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    adapt: (commands) => ({
      commands: commands.filter((command) => command.includes(NET)),
      note: "only the lab's own network: the others named belong to other sessions or are the engines' default networks",
    }),
    async then(lab) {
      lab.podman.trackNetwork(`${NET}-mtu${UPLINK_MTU}`);
      return `${NET}-mtu${UPLINK_MTU} tracked for cleanup`;
    },
  },
  proveFixed: async (lab) => expectProbe(await download(lab, `${NET}-a`), 'pass'),
  async restore(lab) {
    const mtu = lab.maybe('mtu');
    if (mtu !== undefined) await lab.mustRoot(['ip', 'link', 'set', UPLINK, 'mtu', mtu]);
    const gso = lab.maybe('gso');
    if (gso !== undefined)
      await lab.mustRoot([
        'ip',
        'netns',
        'exec',
        OUTSIDE_NETNS,
        'ip',
        'link',
        'set',
        OUTSIDE_LINK,
        'gso_max_size',
        gso,
      ]);
    await lab.defaultRestore();
  },
} satisfies BrokenScenario;
