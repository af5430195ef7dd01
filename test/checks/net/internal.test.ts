import check from '../../../checks/net/internal.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'net.internal_network';
const INTERNAL = {
  id: ID,
  severity: 'info',
  subject: { engine: 'docker', network: 'ndl-p2int', containers: ['ndl-p2int-b', 'ndl-p2int-a'] },
  title: 'docker network "ndl-p2int" is internal: no route out of it',
} as const;

// An internal network is a choice: the info stays after the fix, which gave the containers a second way out.
checkCases(check, [
  {
    on: labState('internal-network.broken'),
    shows: [
      {
        ...INTERNAL,
        fix: {
          commands: [
            'docker network create ndl-p2int-egress',
            'docker network connect ndl-p2int-egress ndl-p2int-b',
            'docker network connect ndl-p2int-egress ndl-p2int-a',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: labState('internal-network.fixed'), shows: [INTERNAL], nothingElse: true },
  { on: hostSnapshot('live-root-icc-off'), result: { status: 'pass' } },
  { on: hostSnapshot('live-rootless'), result: { status: 'pass' } },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
]);
