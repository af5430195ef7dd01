import type { Lab } from '../lib/lab.js';

/**
 * Where the lab puts a `docker` that runs podman, first on PATH: /usr/local/bin on gen2 (its docker-cli is
 * /usr/bin/docker); /usr/local/sbin on gen1, whose /usr/local/bin/docker is a real docker client the wrapper must
 * not replace.
 */
export function dockerWrapperPath(lab: Lab): string {
  return lab.generation === 2 ? '/usr/local/bin/docker' : '/usr/local/sbin/docker';
}

/** The seed's `alias docker=podman` as a command netdoctor can see, as podman-docker's /usr/bin/docker does it. */
export async function installDockerWrapper(lab: Lab): Promise<string> {
  const path = dockerWrapperPath(lab);
  await lab.guard.writeFile(path, '#!/bin/sh\nexec /usr/bin/podman "$@"\n');
  await lab.guard.chmod(path, 0o755);
  return path;
}

/** The podman version the lab's generation ships (what `docker --version` prints through the wrapper). */
export function podmanVersion(lab: Lab): string {
  return lab.generation === 2 ? '5.4.2' : '4.3.1';
}
