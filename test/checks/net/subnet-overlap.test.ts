import { expect } from 'vitest';
import check from '../../../checks/net/subnet-overlap.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { fixtureText, hostSnapshot, labState, withAnswers } from '../../helpers/recordings.js';

const ID = 'net.subnet_overlaps_host_route';
const ROUTES = ['ip', '-j', 'route', 'show', 'table', 'all'];

checkCases(check, [
  // It names the VPN-like route and a free subnet to move to.
  {
    on: labState('subnet-overlap.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-p2ov', interface: 'podman2' },
        title: 'podman network "ndl-p2ov" (10.89.177.0/24) overlaps 10.89.177.128/25 on ndl-p2vpn',
        fix: { commands: startingWith(/^podman network create --subnet \d+\.\d+\.\d+\.0\/24 ndl-p2ov-moved$/) },
      },
    ],
    nothingElse: true,
  },
  { on: labState('subnet-overlap.fixed'), gone: [{ id: ID, network: 'ndl-p2ov' }] },
  // The live host with a VPN-like route inside podman's 10.89.0.0/24, recorded in a throwaway namespace.
  {
    on: withAnswers(hostSnapshot('live-root-icc-off'), 'a VPN-like route into 10.89.0.0/24', {
      commands: [{ argv: ROUTES, stdout: fixtureText('netns/vpn-route-10.89.0.128.route.json') }],
    }),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndwhy-front' },
        evidence: startingWith({}, { excerpt: expect.stringContaining('10.89.0.128/25 dev ndp2-vpn') }),
        fix: { commands: startingWith(/^podman network create --subnet \d+\.\d+\.\d+\.0\/24 ndwhy-front-moved$/) },
      },
    ],
  },
  { on: hostSnapshot('live-root-icc-off'), result: { status: 'pass' } },
  { on: hostSnapshot('live-rootless'), result: { status: 'pass' } },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  {
    on: hostSnapshot('healthy-rootless'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^no container bridge network/ },
  },
]);
