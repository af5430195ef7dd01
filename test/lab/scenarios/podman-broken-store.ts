import { writeFile } from 'node:fs/promises';
import { LabError, baseEnv, brief, ok, output, run } from '../lib/exec.js';
import { expectFailure } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { privateStore, storeEnv } from '../lib/store.js';

export default {
  kind: 'broken',
  name: 'podman-broken-store',
  ids: ['engine.unreachable'],
  description:
    "podman fails to start: the store's defaultNetworkBackend was written with `echo cni > FILE` (a trailing newline), which podman 4.3 rejects",
  identity: 'root',
  env: (lab) => storeEnv(lab),
  async setup(lab) {
    await privateStore(lab, 'ndl-brk', 'cni\n');
  },
  async proveBroken(lab) {
    const result = await run(['podman', 'run', '--rm', 'localhost/netdoctor-probe', 'true'], {
      timeoutMs: 60_000,
      env: baseEnv(storeEnv(lab)),
    });
    return expectFailure(result, /unknown network backend value[^\n]*/, 'podman run');
  },
  expect: () => [{ id: 'engine.unreachable', severity: 'error', subject: { engine: 'podman' } }],
  fix: {
    kind: 'manual',
    reason:
      'netdoctor prints a diagnostic, not a fix (`podman --log-level=debug info`): the lab runs it, checks that it names the broken file, and repairs that file',
    async apply(lab) {
      const diagnostic = await run(['sh', '-c', 'podman --log-level=debug info'], {
        timeoutMs: 60_000,
        env: baseEnv(storeEnv(lab)),
      });
      const file = `${lab.get('store')}/graph/defaultNetworkBackend`;
      if (!output(diagnostic).includes(file))
        throw new LabError(`\`podman --log-level=debug info\` does not name ${file}: ${brief(diagnostic, 200)}`);
      await writeFile(file, 'cni');
      return `the printed diagnostic names ${file}; rewritten without the newline`;
    },
  },
  async proveFixed(lab) {
    const result = await run(['podman', 'info', '--format', '{{.Host.NetworkBackend}}'], {
      timeoutMs: 60_000,
      env: baseEnv(storeEnv(lab)),
    });
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
