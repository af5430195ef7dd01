import { LabError, waitFor } from '../lib/exec.js';
import { egress, expectProbe, http } from '../lib/probes.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';

const NET = 'ndl-fzd';

/** The zone firewalld binds an interface to, or undefined when none (`--get-zone-of-interface` exit 2). */
async function zoneOf(lab: Parameters<BrokenScenario['setup']>[0], bridge: string): Promise<string | undefined> {
  const result = await lab.root(['firewall-cmd', `--get-zone-of-interface=${bridge}`]);
  if (result.exitCode === 2) return undefined;
  if (result.exitCode !== 0) throw new LabError(`firewall-cmd --get-zone-of-interface=${bridge}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * docker 26 with firewalld: dockerd makes a `docker` zone (target ACCEPT) and binds each bridge to it at runtime
 * (moby's AddInterfaceFirewalld), and binds it again on every firewalld reload (its Reloaded callback re-runs the
 * bridge's setupIPTables). So `firewall-cmd --reload`, which drops podman's subnet bindings (fw-firewalld-reload),
 * leaves docker's networks working: the setup proves that first. What does cut them off is the bridge losing its
 * binding outside docker (an administrator's `--remove-interface`, a cleanup of zone docker): until the next reload
 * the bridge is in no zone, its traffic falls into the default zone public, which rejects what it forwards. (Moved
 * to zone public explicitly instead, the bridge kept working here: public's intra-zone forwarding accepts traffic
 * between its own interfaces, the uplink included.)
 */
export default {
  kind: 'broken',
  name: 'fw-firewalld-docker-zone',
  ids: ['fw.firewalld_zone_blocks'],
  description:
    "docker with firewalld: a docker network's bridge survives `firewall-cmd --reload` in zone docker, then is removed from it by hand: its containers' forwarded traffic falls into the default zone and is rejected",
  identity: 'root',
  generations: [2],
  environment: ['firewalld', 'docker'],
  onlyExpectedErrors: true,
  async setup(lab) {
    await pair(lab, lab.docker, NET);
    const bridge = await lab.docker.bridge(NET);
    lab.set('bridge', bridge);
    const bound = await zoneOf(lab, bridge);
    if (bound !== 'docker')
      throw new LabError(`dockerd did not bind ${bridge} to zone docker (zone: ${bound ?? 'none'})`);
    await proveHealthyPair(lab, lab.docker, NET);
    await lab.mustRoot(['firewall-cmd', '--reload']);
    // dockerd binds it again from firewalld's Reloaded signal, asynchronously.
    const again = await waitFor(
      `${bridge} in zone docker after firewall-cmd --reload`,
      async () => ((await zoneOf(lab, bridge)) === 'docker' ? true : undefined),
      { attempts: 40, intervalMs: 250 },
    );
    const healthy = await proveHealthyPair(lab, lab.docker, NET);
    lab.set('after-reload', `after firewall-cmd --reload ${bridge} is in zone docker (${String(again)}), ${healthy}`);
    await lab.mustRoot(['firewall-cmd', '--zone=docker', `--remove-interface=${bridge}`]);
  },
  async proveBroken(lab) {
    const bridge = lab.get('bridge');
    const zone = await zoneOf(lab, bridge);
    if (zone !== undefined) throw new LabError(`${bridge} is still in zone ${zone}`);
    const peer = expectProbe(await http(lab.docker, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'fail');
    const outside = expectProbe(await egress(lab.docker, `${NET}-a`), 'fail');
    return `${lab.get('after-reload')}; then removed from zone docker (in no zone): ${peer}; ${outside}`;
  },
  expect: (lab) => [
    {
      id: 'fw.firewalld_zone_blocks',
      severity: 'error',
      subject: { engine: 'docker', network: NET, interface: lab.get('bridge') },
      title: /zone public/,
    },
  ],
  // `firewall-cmd --zone=docker --change-interface=BRIDGE`, runtime and permanent (the environment is thrown away).
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const bridge = lab.get('bridge');
    const zone = await zoneOf(lab, bridge);
    if (zone !== 'docker') throw new LabError(`${bridge} is in zone ${zone ?? 'none'} after the fix`);
    return `${await proveHealthyPair(lab, lab.docker, NET)}; ${bridge} back in zone docker`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
