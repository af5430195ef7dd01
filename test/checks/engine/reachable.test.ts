import check from '../../../checks/engine/reachable.js';
import { checkCases } from '../../helpers/check-cases.js';
import { NOT_RECORDED, gen2State, hostSnapshot, labState, withAnswers } from '../../helpers/recordings.js';

const ID = 'engine.unreachable';
const START_DOCKERD = 'setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &';

checkCases(check, [
  // A stopped dockerd (its socket gone) is told from a frozen one (it does not answer).
  {
    on: labState('docker-stopped.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker' },
        title: 'Docker daemon cannot be used: socket missing',
        fix: { commands: [START_DOCKERD, 'docker info'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('docker-stopped.fixed'), gone: [ID] },
  // Recorded before the check looked for dockerd's process (to name a stopped one): replayed as `--replay` does.
  {
    on: withAnswers(labState('docker-frozen.broken'), 'no dockerd pid file or process list recorded', {
      files: { '/var/run/docker.pid': NOT_RECORDED },
      dirs: { '/proc': NOT_RECORDED },
    }),
    shows: [
      { id: ID, severity: 'error', subject: { engine: 'docker' }, title: 'Docker daemon cannot be used: timeout' },
    ],
    nothingElse: true,
  },
  { on: labState('docker-frozen.fixed'), gone: [ID] },
  {
    on: labState('podman-broken-store.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman' },
        title: 'Podman fails to start',
        fix: { commands: ['podman --log-level=debug info'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('podman-broken-store.fixed'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootful-cni-docker'), passes: true },
  // docker's socket is closed to ndlab: a limit it names, not a finding.
  {
    on: hostSnapshot('healthy-rootless'),
    shows: [],
    nothingElse: true,
    result: { status: 'pass', reason: /ndlab may not use \/var\/run\/docker\.sock/ },
  },
  // docker 26 exits 0 there, its error in ServerErrors and on stderr: the same limit, not an unreachable engine.
  {
    on: gen2State('baseline-rootless.healthy'),
    shows: [],
    nothingElse: true,
    result: {
      status: 'pass',
      summary: 'podman 5.4.2 (rootless) answers',
      reason: /ndlab may not use \/var\/run\/docker\.sock \(srw-rw---- 0:101\)/,
    },
  },
  { on: gen2State('baseline-docker.healthy'), passes: true },
  { on: gen2State('baseline-docker-podman.healthy'), passes: true },
]);
