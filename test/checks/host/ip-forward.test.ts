import check from '../../../checks/host/ip-forward.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'host.ip_forward_disabled';
const GLOBAL_SWITCH_OFF = {
  id: ID,
  severity: 'error',
  subject: {},
  title: 'IPv4 forwarding is disabled (net.ipv4.ip_forward = 0)',
  fix: {
    commands: [
      'sysctl -w net.ipv4.ip_forward=1',
      "printf 'net.ipv4.ip_forward = 1\\n' > /etc/sysctl.d/99-container-forwarding.conf",
    ],
  },
} as const;

checkCases(check, [
  { on: labState('ip-forward-sysctl.broken'), shows: [GLOBAL_SWITCH_OFF], nothingElse: true },
  { on: labState('ip-forward-sysctl.fixed'), gone: [ID] },
  { on: labState('ip-forward-sysctl-d.broken'), shows: [GLOBAL_SWITCH_OFF], nothingElse: true },
  { on: labState('ip-forward-sysctl-d.fixed'), gone: [ID] },
  // The bridge whose forwarding is off is named, not the global switch, and its own sysctl is the fix.
  {
    on: labState('ip-forward-bridge.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-fwdb', interface: 'podman2' },
        title: 'IPv4 forwarding is disabled on podman2',
        fix: {
          commands: [
            'sysctl -w net.ipv4.conf.podman2.forwarding=1',
            'sysctl -w net.ipv4.conf.default.forwarding=1',
            "printf 'net.ipv4.ip_forward = 1\\n' > /etc/sysctl.d/99-container-forwarding.conf",
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: labState('ip-forward-bridge.fixed'), gone: [ID] },
  { on: labState('baseline-docker-podman.healthy'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootful-cni-docker'), passes: true },
  // As ndlab, with docker's socket closed, no rootful network can be listed: it cannot tell, and says why.
  {
    on: hostSnapshot('healthy-rootless'),
    result: {
      status: 'skip',
      skip: 'cannot_decide',
      reason: /^no rootful network could be listed \(docker networks: ndlab may not use \/var\/run\/docker\.sock/,
    },
  },
]);
