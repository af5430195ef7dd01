import { expect } from 'vitest';
import check from '../../../checks/mtu/path-mtu.js';
import { checkCases } from '../../helpers/check-cases.js';
import { fixtureText, hostSnapshot, labState, withAnswers } from '../../helpers/recordings.js';

const ID = 'mtu.exceeds_path_mtu';
const ROUTES = ['ip', '-j', 'route', 'show', 'table', 'all'];
const LINKS = ['ip', '-j', '-d', 'link'];
// This VM's own uplink carries 1400-byte packets: every rootful recording of the lab host shows it.
const ETH0 = 'Container networks send up to 1500-byte packets; eth0 carries only 1400';

checkCases(check, [
  // It names the uplink with the smallest MTU.
  {
    on: labState('mtu-small-uplink.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { network: 'bridge, ndl-p2mtu, podman' },
        title: 'Container networks send up to 1500-byte packets; ndup carries only 1280',
        fix: {
          commands: [
            'podman network create --opt mtu=1280 ndl-p2mtu-mtu1280',
            'podman network connect ndl-p2mtu-mtu1280 ndl-p2mtu-a',
            'podman network disconnect ndl-p2mtu ndl-p2mtu-a',
            'podman network rm ndl-p2mtu',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: labState('mtu-small-uplink.fixed'), gone: [{ id: ID, network: 'ndl-p2mtu' }] },
  {
    on: hostSnapshot('live-root-icc-off'),
    shows: [{ id: ID, severity: 'warning', title: ETH0, explanation: expect.not.stringContaining('fe80::') }],
    nothingElse: true,
  },
  {
    on: withAnswers(hostSnapshot('live-root-icc-off'), 'an uplink that carries 1500 bytes', {
      commands: [
        { argv: ROUTES, stdout: fixtureText('netns/uplink-1500.route.json') },
        { argv: LINKS, stdout: fixtureText('netns/uplink-1500.link.json') },
      ],
    }),
    result: { status: 'pass' },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    shows: [{ id: ID, severity: 'warning', subject: { network: 'bridge, podman' }, title: ETH0 }],
    nothingElse: true,
  },
  {
    on: hostSnapshot('live-rootless'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^rootless networks leave the host through slirp4netns/ },
  },
]);
