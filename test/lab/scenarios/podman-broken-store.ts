import { LabError, baseEnv, brief, ok, output, run } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { expectFailure } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { privateStore, storeEnv } from '../lib/store.js';

/** A podman command with the private store, on the host the scenario diagnoses. */
function podmanWithStore(lab: Lab, args: string[]) {
  return run([...lab.hostPrefix(), 'podman', ...args], { timeoutMs: 60_000, env: baseEnv(lab.env()) });
}

/**
 * podman 4.3 and 5.4 alike reject a pinned backend with a trailing newline. Written without it, podman 4.3 uses
 * CNI; podman 5.4, built without CNI, uses netavark (and rewrites the file to say so).
 */
export default {
  kind: 'broken',
  name: 'podman-broken-store',
  ids: ['engine.unreachable'],
  description:
    "podman fails to start: the store's defaultNetworkBackend was written with `echo cni > FILE` (a trailing newline), which podman rejects",
  identity: 'root',
  generations: [1, 2],
  env: (lab) => storeEnv(lab),
  async setup(lab) {
    await privateStore(lab, 'ndl-brk', 'cni\n');
  },
  proveBroken: async (lab) =>
    expectFailure(
      await podmanWithStore(lab, ['run', '--rm', 'localhost/netdoctor-probe', 'true']),
      /unknown network backend value[^\n]*/,
      'podman run',
    ),
  expect: () => [{ id: 'engine.unreachable', severity: 'error', subject: { engine: 'podman' } }],
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints a diagnostic, not a fix (`podman --log-level=debug info`): the lab runs it, checks that it names the broken file, and repairs that file',
    async apply(lab) {
      const diagnostic = await podmanWithStore(lab, ['--log-level=debug', 'info']);
      const file = `${lab.get('store')}/graph/defaultNetworkBackend`;
      if (!output(diagnostic).includes(file))
        throw new LabError(`\`podman --log-level=debug info\` does not name ${file}: ${brief(diagnostic, 200)}`);
      await lab.writeHostFile(file, 'cni');
      return `the printed diagnostic names ${file}; rewritten without the newline`;
    },
  },
  async proveFixed(lab) {
    const result = await podmanWithStore(lab, ['info', '--format', '{{.Host.NetworkBackend}}']);
    if (!ok(result)) throw new LabError(`podman info still fails: ${brief(result, 200)}`);
    return `podman answers again (backend ${result.stdout.trim()})`;
  },
  fixedReport(report, _lab, stillThere) {
    if (stillThere.length > 0) return `still reported: ${stillThere.map((finding) => finding.title).join('; ')}`;
    return report.engines.some((engine) => engine.engine === 'podman' && engine.reachable)
      ? undefined
      : 'the report lists podman as unreachable';
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
