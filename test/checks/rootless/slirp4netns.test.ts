import check from '../../../checks/rootless/slirp4netns.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'rootless.slirp4netns_missing';
const NDLAB = { engine: 'podman', scope: 'rootless', user: 'ndlab' } as const;

checkCases(check, [
  // A missing binary is told from one that is not executable.
  {
    on: labState('rootless-slirp4netns-moved.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: NDLAB,
        title: 'slirp4netns is not installed',
        explanation: /It is needed by the rootless network command \(the default of podman 4\.3\.1\)\.$/,
        fix: { commands: ['apt-get install --reinstall -y slirp4netns uidmap'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('rootless-slirp4netns-moved.fixed'), gone: [ID] },
  {
    on: labState('rootless-slirp4netns-not-executable.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: NDLAB,
        title: 'slirp4netns is not executable (/usr/bin/slirp4netns)',
        fix: { commands: ['chmod 0755 /usr/bin/slirp4netns'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('rootless-slirp4netns-not-executable.fixed'), gone: [ID] },
  { on: hostSnapshot('healthy-rootless'), passes: true },
  // Podman 5 uses pasta (host.rootlessNetworkCmd) and Debian 13 does not install slirp4netns: nothing needs it.
  {
    on: gen2State('baseline-rootless.healthy'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason:
        'rootless podman uses pasta (podman info: host.rootlessNetworkCmd) and no running container asks for slirp4netns: slirp4netns is not needed',
    },
  },
  {
    on: gen2State('baseline-rootless-pasta-port.healthy'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^rootless podman uses pasta/ },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^running as root diagnoses rootful podman/ },
  },
]);
