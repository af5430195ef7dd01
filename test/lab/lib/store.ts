import { LabError } from './exec.js';
import type { Lab } from './lab.js';
import { CNI_ENV, LAB_RUN } from './paths.js';

/** Generation 2's rootful containers.conf (test/lab/env/gen2/configure.sh writes it). */
const GEN2_CONTAINERS_CONF = '/etc/containers/containers.conf';

/**
 * A throwaway rootful podman store of its own (graphroot, runroot, tmp_dir under /run/netdoctor-lab/<name>) whose
 * containers.conf is the lab's CNI one without `network_backend`: podman then takes the backend pinned in
 * <graphroot>/defaultNetworkBackend, as it does on a host where it chose CNI once and remembered the choice.
 */
export async function privateStore(lab: Lab, name: string, pinned: string): Promise<void> {
  const dir = `${LAB_RUN}/${name}`;
  await lab.guard.tree(dir);
  // Generation 2 has no CNI store: its own containers.conf sets no network_backend either, and its disk needs vfs.
  const base = lab.generation === 2 ? GEN2_CONTAINERS_CONF : CNI_ENV.CONTAINERS_CONF;
  const text = await lab.readHostFile(base);
  if (text === undefined) throw new LabError(`cannot read ${base}`);
  const conf = text
    .split('\n')
    .filter((line) => !/^\s*network_backend\s*=/.test(line))
    .map((line) => (/^\s*tmp_dir\s*=/.test(line) ? `tmp_dir = "${dir}/tmp"` : line))
    .join('\n');
  await lab.writeHostFile(`${dir}/containers.conf`, conf);
  await lab.writeHostFile(
    `${dir}/storage.conf`,
    `[storage]\ndriver = "${lab.generation === 2 ? 'vfs' : 'overlay'}"\ngraphroot = "${dir}/graph"\nrunroot = "${dir}/run"\n`,
  );
  await lab.guard.tree(`${dir}/graph`);
  await lab.writeHostFile(`${dir}/graph/defaultNetworkBackend`, pinned);
  lab.set('store', dir);
}

export function storeEnv(lab: Lab): { CONTAINERS_CONF: string; CONTAINERS_STORAGE_CONF: string } {
  const dir = lab.get('store');
  return { CONTAINERS_CONF: `${dir}/containers.conf`, CONTAINERS_STORAGE_CONF: `${dir}/storage.conf` };
}
