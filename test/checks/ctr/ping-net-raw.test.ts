import check from '../../../checks/ctr/ping-net-raw.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'ctr.ping_without_net_raw';

checkCases(check, [
  // It names the container that cannot ping, for podman and for docker.
  {
    on: labState('ping-net-raw-podman.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', scope: 'rootful', containers: ['ndl-png-a'] },
        title: 'ping fails in ndl-png-a: no CAP_NET_RAW and group 1000 outside ping_group_range "0 0"',
        fix: {
          commands: [
            'podman run --rm --cap-add NET_RAW --network ndl-png localhost/netdoctor-probe:latest ping -c 1 -W 2 10.89.0.1',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: labState('ping-net-raw-podman.fixed'), gone: [ID] },
  {
    on: labState('ping-net-raw-docker.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'docker', scope: 'rootful', containers: ['ndl-pngd-a'] },
        title: 'ping fails in ndl-pngd-a: no CAP_NET_RAW and group 0 outside ping_group_range "1 0"',
        fix: {
          commands: [
            'docker run --rm --cap-add NET_RAW --network ndl-pngd netdoctor-probe:latest ping -c 1 -W 2 172.30.0.1',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: labState('ping-net-raw-docker.fixed'), gone: [ID] },
  { on: labState('baseline-docker-podman.healthy'), passes: true },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'no running container' },
  },
]);
