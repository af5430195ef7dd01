import check from '../../../checks/rootless/pasta-host-address.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot } from '../../helpers/recordings.js';

const ID = 'rootless.pasta_host_address';

checkCases(check, [
  // The new user: a pasta container publishing a port, nothing broken, the fact still worth knowing.
  {
    on: gen2State('baseline-rootless-pasta-port.healthy'),
    shows: [{ id: ID, severity: 'info', subject: { containers: ['ndl-bpp-web'] } }],
    nothingElse: true,
  },
  // Inside the pasta container the host's 198.51.100.1 refused the connection; host.containers.internal answered.
  {
    on: gen2State('rootless-pasta-host-address.broken'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { engine: 'podman', scope: 'rootless', user: 'ndlab', containers: ['ndl-pha-web'] },
        title: "1 container(s) on pasta: the host is host.containers.internal there, not the host's IP",
      },
    ],
    nothingElse: true,
  },
  {
    on: gen2State('rootless-pasta-moved.broken'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: 'rootless podman does not run containers with pasta here',
    },
  },
  // podman 4.3.1 runs rootless containers with slirp4netns.
  {
    on: hostSnapshot('healthy-rootless'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: 'rootless podman does not run containers with pasta here',
    },
  },
]);
