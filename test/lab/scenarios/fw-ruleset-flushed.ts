import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { LabError, baseEnv, brief, ok, run, sleep } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { DOCKER, DOCKERD_LOG, DOCKER_PID } from '../lib/paths.js';
import { egress, expectProbe } from '../lib/probes.js';
import { pair } from '../lib/traffic.js';
import type { BrokenScenario } from '../scenario.js';
import { recordFirewall } from './fw-common.js';

const DOCKER_NET = 'ndl-f2rfd';
const PODMAN_NET = 'ndl-f2rfp';
const SAVES = [
  ['iptables-nft-save', 'iptables-nft-restore'],
  ['ip6tables-nft-save', 'ip6tables-nft-restore'],
] as const;
const IPTABLES_FAMILIES = new Set(['ip', 'ip6']);
const IPTABLES_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

/** Saves the host's iptables-nft rules before the scenario touches anything, to put back exactly what was there. */
async function saveRulesets(lab: Lab): Promise<void> {
  const dir = await mkdtemp('/tmp/ndl-f2rf-');
  lab.set('saved', dir);
  for (const [save] of SAVES) await writeFile(`${dir}/${save}`, await lab.mustRoot([save]));
  // Native nftables tables (not iptables-nft's) would be lost by the flush, and no engine writes them again.
  const listed = JSON.parse(await lab.mustRoot(['nft', '-j', 'list', 'tables'])) as {
    nftables: { table?: { family: string; name: string } }[];
  };
  const native = listed.nftables
    .flatMap((entry) => (entry.table ? [entry.table] : []))
    .filter((table) => !IPTABLES_FAMILIES.has(table.family) || !IPTABLES_TABLES.has(table.name));
  if (native.length > 0)
    throw new LabError(
      `native nftables tables (${native.map((table) => `${table.family} ${table.name}`).join(', ')}) would be lost by \`nft flush ruleset\`: not running`,
    );
}

async function restoreRulesets(lab: Lab): Promise<void> {
  const dir = lab.maybe('saved');
  if (dir === undefined) return;
  for (const [save, restore] of SAVES) {
    const text = await readFile(`${dir}/${save}`, 'utf8').catch(() => undefined);
    if (text === undefined || text.trim() === '') continue;
    const result = await run([restore], { input: `${text}\n`, timeoutMs: 30_000, env: baseEnv() });
    if (!ok(result)) throw new LabError(`${restore} of the saved rules failed (${brief(result, 300)})`);
  }
  await rm(dir, { recursive: true, force: true });
}

async function startDockerContainers(lab: Lab, ids: string[]): Promise<void> {
  const now = new Set(await lab.runningDockerContainers());
  const again = ids.filter((id) => !now.has(id));
  if (again.length === 0) return;
  const result = await lab.root([DOCKER, 'start', ...again], 60_000);
  if (!ok(result)) throw new LabError(`could not start the containers dockerd's restart ended: ${brief(result, 300)}`);
}

export default {
  kind: 'broken',
  name: 'fw-ruleset-flushed',
  ids: ['fw.engine_rules_flushed'],
  description:
    "`nft flush ruleset` (what Debian's nftables.service does on start and reload) with docker and podman containers running: both lose 198.51.100.2 until podman reloads its rules and dockerd restarts",
  identity: 'root',
  async setup(lab) {
    await saveRulesets(lab);
    await pair(lab, lab.docker, DOCKER_NET);
    await pair(lab, lab.podman, PODMAN_NET);
    expectProbe(await egress(lab.docker, `${DOCKER_NET}-a`), 'pass');
    expectProbe(await egress(lab.podman, `${PODMAN_NET}-a`), 'pass');
    lab.set('running', (await lab.runningDockerContainers()).join(' '));
    await lab.mustRoot(['nft', 'flush', 'ruleset']);
  },
  async proveBroken(lab) {
    return recordFirewall(
      lab,
      'broken',
      `${expectProbe(await egress(lab.docker, `${DOCKER_NET}-a`), 'fail')}; ${expectProbe(await egress(lab.podman, `${PODMAN_NET}-a`), 'fail')}`,
    );
  },
  expect: () => [
    { id: 'fw.engine_rules_flushed', severity: 'error', subject: { engine: 'podman', network: PODMAN_NET } },
    { id: 'fw.engine_rules_flushed', severity: 'error', subject: { engine: 'docker', network: DOCKER_NET } },
  ],
  fix: {
    kind: 'printed',
    runAs: 'root',
    // netdoctor prints `pkill -x dockerd` for a host without systemd; the lab ends only the pid it read.
    adapt: (commands) => ({
      commands: commands.map((command) =>
        command === 'pkill -x dockerd'
          ? `pid=$(cat ${DOCKER_PID}) && kill -TERM "$pid" && for i in $(seq 120); do [ -d "/proc/$pid" ] || break; sleep 0.5; done && [ ! -d "/proc/$pid" ]`
          : command.replace('/var/log/dockerd.log', DOCKERD_LOG),
      ),
      note: "dockerd ended by its pid instead of by name; its log is the lab's dockerd log",
    }),
    async then(lab) {
      await lab.ensureDockerd();
      await startDockerContainers(
        lab,
        (lab.maybe('running') ?? '').split(' ').filter((id) => id !== ''),
      );
      // dockerd writes its rules while it starts: give the started containers a moment on a fresh bridge.
      await sleep(1000);
      return 'dockerd answers again, the containers its restart ended started again';
    },
  },
  async proveFixed(lab) {
    return recordFirewall(
      lab,
      'fixed',
      `${expectProbe(await egress(lab.docker, `${DOCKER_NET}-a`), 'pass')}; ${expectProbe(await egress(lab.podman, `${PODMAN_NET}-a`), 'pass')}`,
    );
  },
  async restore(lab) {
    await lab.ensureDockerd();
    await startDockerContainers(
      lab,
      (lab.maybe('running') ?? '').split(' ').filter((id) => id !== ''),
    );
    await lab.removeObjects();
    await restoreRulesets(lab);
    await lab.restoreHost();
  },
} satisfies BrokenScenario;
