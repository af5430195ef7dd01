import check from '../../../checks/net/macvlan.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'net.macvlan_host_isolation';

checkCases(check, [
  {
    on: labState('macvlan-host-isolation.broken'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: {
          engine: 'podman',
          scope: 'rootful',
          network: 'ndl-mv',
          containers: ['ndl-mv-web'],
          interface: 'ndl-mvp',
        },
        title: 'The host cannot reach ndl-mv-web (203.0.113.10) on macvlan network "ndl-mv" over ndl-mvp',
        evidence: [
          {
            source: 'command',
            what: 'podman network inspect ndl-mv',
            excerpt: 'driver macvlan, parent ndl-mvp; subnets: 203.0.113.0/24',
          },
          { source: 'command', what: 'ip -j -d link', excerpt: 'no macvlan interface of the host on ndl-mvp' },
        ],
        // The shim takes the host's own address on the parent, and a host route to the container only.
        fix: {
          commands: [
            'ip link add ndl-mvp-shim link ndl-mvp type macvlan mode bridge',
            'ip addr add 203.0.113.1/32 dev ndl-mvp-shim',
            'ip link set ndl-mvp-shim up',
            'ip route add 203.0.113.10/32 dev ndl-mvp-shim',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  // With the printed shim in place the host reached the container: the check sees the route through it.
  {
    on: labState('macvlan-host-isolation.fixed'),
    passes: true,
    result: { summary: '1 macvlan/ipvlan network(s) with running containers; reached: ndl-mv through ndl-mvp-shim' },
  },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), result: { status: 'skip', skip: 'not_applicable' } },
]);
