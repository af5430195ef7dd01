import check from '../../../checks/rootless/linger.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'rootless.no_linger';

// Recorded in the lab guest booted with systemd: ndlab logged in, runs a container publishing 18090, no linger.
checkCases(check, [
  {
    on: labState('rootless-no-linger.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', scope: 'rootless', user: 'ndlab', containers: ['ndl-lg-web'] },
        evidence: [
          { source: 'stat', what: '/var/lib/systemd/linger/ndlab', excerpt: 'does not exist: ndlab does not linger' },
          { source: 'command', excerpt: 'running: ndl-lg-web' },
        ],
        fix: { commands: ['loginctl enable-linger ndlab'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('rootless-no-linger.fixed'), passes: true },
  // No systemd on the lab host: no login manager stops anything at logout.
  { on: labState('baseline-rootless.healthy'), result: { status: 'skip', skip: 'not_applicable' } },
  { on: hostSnapshot('healthy-rootless'), result: { status: 'skip', skip: 'not_applicable' } },
]);
