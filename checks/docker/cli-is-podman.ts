import { dockerState } from '../../src/facts/docker.js';
import { findingBuilder } from '../../src/core/finding.js';
import { notApplicable, verdict } from '../../src/core/outcome.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.podman.io/en/latest/markdown/podman.1.html';

const FINDINGS = {
  'docker.cli_is_podman': {
    severity: 'info',
    title: 'The docker command is podman',
    explanation:
      "The `docker` found on PATH is podman itself (the podman-docker package, a link, or a wrapper script; an `alias docker=podman` does the same in a shell). Docker commands then act on podman's containers and networks: `docker ps`, `docker network ls` and `docker run` are podman's, with podman's defaults (rootless as a user, netavark networks, aardvark-dns). There is no docker engine to diagnose, so netdoctor diagnoses podman instead, and docker's own guides (its bridge, DOCKER-USER, the 127.0.0.11 resolver) do not apply.",
    cause: 'podman-docker, or a `docker` script or link that runs podman, is installed in place of docker.',
    fix: "Nothing to fix. Follow podman's documentation for networking; install docker itself only if a docker engine is what you need.",
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'docker.cli-is-podman',
  title: 'Whether the docker command is podman',
  findings: FINDINGS,
  docs: DOCS,
  async run({ facts }) {
    const docker = await facts.get(dockerState);
    if (docker.kind === 'absent') return notApplicable('no docker command on PATH');
    if (docker.kind !== 'client-only' || docker.podman === undefined)
      return notApplicable(`${docker.cli} is not podman`);
    return verdict(
      [
        finding('docker.cli_is_podman', {
          subject: { engine: 'docker', path: docker.cli },
          title: `${docker.cli} is podman ${docker.podman.version}`,
          evidence: [docker.podman.evidence],
          fix: { commands: [] },
        }),
      ],
      docker.reason,
    );
  },
} satisfies Check;
