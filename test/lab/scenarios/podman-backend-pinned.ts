import { readFile } from 'node:fs/promises';
import { LabError, baseEnv, brief, ok, run } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';
import { privateStore, storeEnv } from '../lib/store.js';

export default {
  kind: 'broken',
  name: 'podman-backend-pinned',
  ids: ['podman.backend_is_cni'],
  description:
    'no containers.conf sets network_backend, but the store pins "cni" in <graphroot>/defaultNetworkBackend (what podman writes when it chose CNI once)',
  identity: 'root',
  env: (lab) => storeEnv(lab),
  async setup(lab) {
    await privateStore(lab, 'ndl-pin', 'cni');
  },
  async proveBroken(lab) {
    const result = await run(['podman', 'info', '--format', '{{.Host.NetworkBackend}}'], {
      timeoutMs: 60_000,
      env: baseEnv(storeEnv(lab)),
    });
    if (!ok(result) || result.stdout.trim() !== 'cni')
      throw new LabError(`podman info on the pinned store: ${brief(result, 200)}`);
    const conf = await readFile(storeEnv(lab).CONTAINERS_CONF, 'utf8');
    if (/network_backend/.test(conf)) throw new LabError('the store containers.conf sets network_backend');
    return 'podman info: networkBackend cni, set by no containers.conf, pinned in graphroot/defaultNetworkBackend';
  },
  expect: () => [{ id: 'podman.backend_is_cni', severity: 'info', subject: { engine: 'podman' } }],
  fix: {
    kind: 'none',
    reason: 'info, not a fault: leaving CNI means `podman system reset --force`, which destroys the store',
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
