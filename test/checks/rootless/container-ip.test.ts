import check from '../../../checks/rootless/container-ip.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'rootless.container_ip_unroutable_from_host';
const TITLE = 'Rootless container addresses are not reachable from the host';

// The catalog keeps this info on every host with running rootless containers: it is context, not a fault.
checkCases(check, [
  {
    on: labState('rootless-container-ip.broken'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { engine: 'podman', scope: 'rootless', user: 'ndlab', containers: ['ndl-rip-web', 'ndl-rip-client'] },
        title: TITLE,
        fix: { commands: ['podman port --all'] },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('baseline-rootless.healthy'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { user: 'ndlab', containers: ['ndl-brl-a', 'ndl-brl-b', 'ndl-brl-default'] },
        title: TITLE,
      },
    ],
    nothingElse: true,
  },
  // ndlab with no running container (its podman run failed), and root (rootful podman only).
  {
    on: labState('rootless-dev-net-tun.broken'),
    gone: [ID],
    result: { status: 'pass', summary: 'no running rootless container' },
  },
  {
    on: labState('rootless-slirp4netns-moved.broken'),
    gone: [ID],
    result: { status: 'pass', summary: 'no running rootless container' },
  },
  {
    on: labState('baseline-podman-netavark.healthy'),
    gone: [ID],
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason:
        /^running as root diagnoses rootful podman; rootless podman is diagnosed by running netdoctor as each user \(users with subordinate ids: ndlab\)/,
    },
  },
  { on: hostSnapshot('healthy-rootless'), passes: true },
]);
