import check from '../../../checks/rootless/pasta.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot } from '../../helpers/recordings.js';

const ID = 'rootless.pasta_missing';
const NDLAB = { engine: 'podman', scope: 'rootless', user: 'ndlab' } as const;

checkCases(check, [
  // A missing binary is told from one that is not executable; podman 5.4.2 reports neither as found.
  {
    on: gen2State('rootless-pasta-moved.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: NDLAB,
        title: 'pasta is not installed',
        fix: { commands: ['apt-get install -y passt'] },
      },
    ],
    nothingElse: true,
  },
  { on: gen2State('rootless-pasta-moved.fixed'), gone: [ID] },
  {
    on: gen2State('rootless-pasta-not-executable.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: NDLAB,
        title: 'pasta is not executable (/usr/bin/pasta)',
        fix: { commands: ['chmod 0755 /usr/bin/pasta'] },
      },
    ],
    nothingElse: true,
  },
  { on: gen2State('rootless-pasta-not-executable.fixed'), gone: [ID] },
  { on: gen2State('baseline-rootless-pasta-port.healthy'), passes: true },
  // podman 4.3.1 names no rootless network command: its containers use slirp4netns.
  {
    on: hostSnapshot('healthy-rootless'),
    result: { status: 'skip', skip: 'not_applicable', reason: /does not report its rootless network command/ },
  },
  {
    on: gen2State('baseline-podman-netavark.healthy'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^running as root diagnoses rootful podman/ },
  },
]);
