import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs as dist/test/lab/lib/paths.js (or from test/lab/lib/ under vitest). */
function findRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const parts = here.split('/');
  const distIndex = parts.lastIndexOf('dist');
  if (distIndex > 0) return parts.slice(0, distIndex).join('/');
  return resolve(here, '../../..');
}

export const ROOT = findRoot();
export const ENV_DIR = `${ROOT}/test/lab/env`;
export const SETUP = `${ENV_DIR}/setup.sh`;
export const AS_USER = `${ENV_DIR}/as-user.sh`;
export const PODMAN_CNI = `${ENV_DIR}/podman-cni.sh`;
export const NETDOCTOR = `${ROOT}/bin/netdoctor`;
export const SNAPSHOT_DIR = `${ROOT}/test/fixtures/snapshots/lab`;
/** Generation 2's recordings: netdoctor's snapshots, and the engines' raw outputs for the check authors. */
export const SNAPSHOT_DIR_GEN2 = `${ROOT}/test/fixtures/snapshots/gen2`;
export const RAW_DIR_GEN2 = `${ROOT}/test/fixtures/gen2-raw`;

/** Names as test/lab/env/lib.sh defines them. */
export const LAB_USER = 'ndlab';
export const LAB_STATE = '/var/lib/netdoctor-lab';
export const LAB_RUN = '/run/netdoctor-lab';
/**
 * A copy of the built netdoctor that the lab user can read: the checkout may sit under a folder only root may
 * enter (a CI clone in a `mktemp -d` folder is 0700), and ndlab runs netdoctor too.
 */
export const LAB_USER_INSTALL = `${LAB_STATE}/netdoctor`;
/** Where scenarios park the binaries they "remove" (same filesystem as /usr, so a rename keeps everything). */
export const MOVED_DIR = `${LAB_STATE}/moved`;
/** Undo actions not yet performed: replayed at the start of the next run after a crash. */
export const JOURNAL = `${LAB_STATE}/lab-journal.json`;
export const CNI_ENV = {
  CONTAINERS_CONF: '/etc/netdoctor-lab/cni/containers.conf',
  CONTAINERS_STORAGE_CONF: '/etc/netdoctor-lab/cni/storage.conf',
};
export const PROBE_PODMAN = 'localhost/netdoctor-probe:latest';
export const PROBE_DOCKER = 'netdoctor-probe:latest';
export const DOCKER = '/usr/bin/docker';
export const DOCKER_SOCK = '/var/run/docker.sock';
export const DOCKER_PID = '/var/run/docker.pid';
export const DOCKERD_LOG = '/var/log/netdoctor-lab-dockerd.log';

/** The fake outside host (netns ndext) and its services. */
export const EXT_IP = '198.51.100.2';
export const EXT_URL = `http://${EXT_IP}/ok`;

/** Every object the lab's scenarios create is named with this prefix (teardown.sh removes nd* too). */
export const LAB_PREFIX = 'ndl-';
