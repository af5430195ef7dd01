import check from '../../../checks/docker/cli-is-podman.js';
import engineReachable from '../../../checks/engine/reachable.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot } from '../../helpers/recordings.js';

const ID = 'docker.cli_is_podman';

checkCases(check, [
  // A wrapper script that runs podman, first on PATH, and no dockerd: `docker --version` names podman.
  {
    on: gen2State('docker-cli-is-podman.broken'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { engine: 'docker', path: '/usr/local/bin/docker' },
        title: '/usr/local/bin/docker is podman 5.4.2',
      },
    ],
    nothingElse: true,
  },
  {
    on: gen2State('baseline-docker.healthy'),
    result: { status: 'skip', skip: 'not_applicable', reason: /is not podman$/ },
  },
  {
    on: gen2State('baseline-podman-netavark.healthy'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'no docker command on PATH' },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /is not podman$/ },
  },
]);

// The docker that is podman is no docker engine that fails to answer.
checkCases(engineReachable, [
  {
    on: gen2State('docker-cli-is-podman.broken'),
    gone: ['engine.unreachable'],
    result: { status: 'pass', summary: /\/usr\/local\/bin\/docker is podman 5\.4\.2/ },
  },
]);
