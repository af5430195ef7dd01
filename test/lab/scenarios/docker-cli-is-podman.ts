import { LabError, brief, ok } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';

const WRAPPER = '/usr/local/bin/docker';
const WEB = 'ndl-cip-web';

/**
 * The seed's `alias docker=podman`, as a command netdoctor can see: a wrapper script first on PATH that runs
 * podman, as podman-docker's /usr/bin/docker does (podman-docker conflicts with Debian 13's docker-cli). No
 * dockerd runs in this environment. netdoctor must say what the docker command is, not that docker is down.
 */
export default {
  kind: 'broken',
  name: 'docker-cli-is-podman',
  ids: ['docker.cli_is_podman'],
  description: `${WRAPPER} is a script that runs podman (as podman-docker's docker): docker commands list podman's containers, and there is no docker engine`,
  identity: 'root',
  generations: [2],
  async setup(lab) {
    await lab.guard.writeFile(WRAPPER, '#!/bin/sh\nexec /usr/bin/podman "$@"\n');
    await lab.guard.chmod(WRAPPER, 0o755);
    await lab.podman.startWeb(WEB, []);
  },
  async proveBroken(lab) {
    const version = await lab.root(['docker', '--version']);
    if (!ok(version) || !version.stdout.startsWith('podman version'))
      throw new LabError(`docker --version did not name podman (${brief(version)})`);
    const listed = await lab.root(['docker', 'ps', '--format', '{{.Names}}']);
    if (!ok(listed) || !listed.stdout.split('\n').includes(WEB))
      throw new LabError(`docker ps did not list podman's ${WEB} (${brief(listed)})`);
    const dockerd = await lab.root(['sh', '-c', 'command -v dockerd || test -S /var/run/docker.sock']);
    if (ok(dockerd)) throw new LabError(`a docker engine is here (${brief(dockerd)})`);
    return `docker --version: "${version.stdout.trim()}"; docker ps lists podman's ${WEB}; no dockerd, no docker socket`;
  },
  expect: () => [
    {
      id: 'docker.cli_is_podman',
      severity: 'info',
      subject: { engine: 'docker', path: WRAPPER },
      title: /is podman 5\.4\.2/,
    },
  ],
  fix: { kind: 'none', reason: 'an info finding: the docker command being podman is a fact to know, not a fault' },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
