import check from '../../../checks/rootless/privileged-port.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'rootless.privileged_port';

checkCases(check, [
  // It reads the port that a rootless container which never started asked for.
  {
    on: labState('rootless-privileged-port.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', scope: 'rootless', user: 'ndlab', containers: ['ndl-p2port'] },
        title: "ndlab's containers ask for host port 80, below ip_unprivileged_port_start 1024",
        fix: {
          commands: [
            'sysctl -w net.ipv4.ip_unprivileged_port_start=80',
            "printf 'net.ipv4.ip_unprivileged_port_start = 80\\n' > /etc/sysctl.d/99-rootless-ports.conf",
            'podman start ndl-p2port',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('rootless-privileged-port.fixed'),
    gone: [ID],
    result: { status: 'pass', summary: '1 published port(s), none below 80' },
  },
  { on: hostSnapshot('live-rootless'), result: { status: 'pass' } },
  { on: hostSnapshot('healthy-rootless'), passes: true },
  // As root it does not apply: rootless checks are diagnosed as each user, and it names them.
  { on: hostSnapshot('live-root-icc-off'), result: { status: 'skip', skip: 'not_applicable', reason: /ndlab/ } },
]);
