import check from '../../../checks/rootless/dev-net-tun.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'rootless.dev_net_tun';

checkCases(check, [
  {
    on: labState('rootless-dev-net-tun.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootless', user: 'ndlab', path: '/dev/net/tun' },
        title: '/dev/net/tun is not read-write for ndlab',
        fix: { commands: ['chmod 0666 /dev/net/tun'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('rootless-dev-net-tun.fixed'), gone: [ID] },
  { on: labState('baseline-rootless.healthy'), gone: [ID] },
  { on: hostSnapshot('healthy-rootless'), passes: true },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^running as root diagnoses rootful podman/ },
  },
]);
