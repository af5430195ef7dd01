import { readFile, writeFile } from 'node:fs/promises';
import type { Lab } from './lab.js';
import { CNI_ENV, LAB_RUN } from './paths.js';

/**
 * A throwaway rootful podman store of its own (graphroot, runroot, tmp_dir under /run/netdoctor-lab/<name>) whose
 * containers.conf is the lab's CNI one without `network_backend`: podman then takes the backend pinned in
 * <graphroot>/defaultNetworkBackend, as it does on a host where it chose CNI once and remembered the choice.
 */
export async function privateStore(lab: Lab, name: string, pinned: string): Promise<void> {
  const dir = `${LAB_RUN}/${name}`;
  await lab.guard.tree(dir);
  const conf = (await readFile(CNI_ENV.CONTAINERS_CONF, 'utf8'))
    .split('\n')
    .filter((line) => !/^\s*network_backend\s*=/.test(line))
    .map((line) => (/^\s*tmp_dir\s*=/.test(line) ? `tmp_dir = "${dir}/tmp"` : line))
    .join('\n');
  await writeFile(`${dir}/containers.conf`, conf);
  await writeFile(
    `${dir}/storage.conf`,
    `[storage]\ndriver = "overlay"\ngraphroot = "${dir}/graph"\nrunroot = "${dir}/run"\n`,
  );
  await lab.guard.tree(`${dir}/graph`);
  await writeFile(`${dir}/graph/defaultNetworkBackend`, pinned);
  lab.set('store', dir);
}

export function storeEnv(lab: Lab): { CONTAINERS_CONF: string; CONTAINERS_STORAGE_CONF: string } {
  const dir = lab.get('store');
  return { CONTAINERS_CONF: `${dir}/containers.conf`, CONTAINERS_STORAGE_CONF: `${dir}/storage.conf` };
}
