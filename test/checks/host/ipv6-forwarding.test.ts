import check from '../../../checks/host/ipv6-forwarding.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'host.ipv6_forwarding_disabled';

checkCases(check, [
  {
    on: labState('ipv6-forwarding.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-v6' },
        title: 'IPv6 forwarding is disabled (net.ipv6.conf.all.forwarding = 0) while 1 container network(s) use IPv6',
        evidence: [{ source: 'file', what: '/proc/sys/net/ipv6/conf/all/forwarding', excerpt: '0' }],
        fix: {
          commands: [
            'sysctl -w net.ipv6.conf.all.forwarding=1',
            "printf 'net.ipv6.conf.all.forwarding = 1\\n' > /etc/sysctl.d/99-container-ipv6-forwarding.conf",
          ],
        },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('ipv6-forwarding.fixed'),
    passes: true,
    result: { summary: 'net.ipv6.conf.all.forwarding = 1; IPv6 networks: podman/ndl-v6 (fd5a:ca1:190::/64)' },
  },
  // Networks without an IPv6 subnet: forwarding IPv6 concerns none of them.
  { on: labState('baseline-docker-podman.healthy'), result: { status: 'skip', skip: 'not_applicable' } },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), result: { status: 'skip', skip: 'not_applicable' } },
]);
