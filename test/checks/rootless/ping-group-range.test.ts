import check from '../../../checks/rootless/ping-group-range.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'rootless.ping_group_range';
// The kernel's default range "1 0" holds no group at all: every rootless host without the sysctl shows it.
const OUTSIDE = {
  id: ID,
  severity: 'warning',
  subject: { engine: 'podman', scope: 'rootless', user: 'ndlab' },
  title: `ndlab's groups (1500) are outside ping_group_range "1 0"`,
  fix: {
    commands: [
      'sysctl -w net.ipv4.ping_group_range="0 2147483647"',
      "printf 'net.ipv4.ping_group_range = 0 2147483647\\n' > /etc/sysctl.d/99-rootless-ping.conf",
    ],
  },
} as const;

checkCases(check, [
  { on: labState('rootless-ping-group-range.broken'), shows: [OUTSIDE], nothingElse: true },
  {
    on: labState('rootless-ping-group-range.fixed'),
    gone: [ID],
    result: { status: 'pass', summary: 'ping_group_range "0 2147483647" includes a group of ndlab' },
  },
  { on: labState('baseline-rootless.healthy'), shows: [OUTSIDE], nothingElse: true },
  { on: hostSnapshot('healthy-rootless'), shows: [OUTSIDE], nothingElse: true },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^running as root diagnoses rootful podman/ },
  },
]);
