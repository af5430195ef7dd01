import { expect } from 'vitest';
import check from '../../../checks/dns/default-network.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'dns.default_network_no_dns';
const UNUSED_DOCKER = {
  id: ID,
  severity: 'info',
  subject: { engine: 'docker', network: 'bridge', containers: [] },
  title: 'The default docker network "bridge" has no DNS (no container uses it now)',
} as const;
const UNUSED_PODMAN = {
  id: ID,
  severity: 'info',
  subject: { engine: 'podman', network: 'podman', containers: [] },
  title: 'The default podman network "podman" has no DNS (no container uses it now)',
} as const;

// A default network always exists, so the info stays on every host: fixed means the warning is gone.
checkCases(check, [
  {
    on: labState('default-network-podman.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: {
          engine: 'podman',
          network: 'podman',
          containers: expect.arrayContaining(['ndl-dnp-a', 'ndl-dnp-b']),
        },
        title: '2 container(s) on the default podman network "podman", where names do not resolve',
        fix: {
          commands: [
            'podman network create app',
            'podman network connect app ndl-dnp-a',
            'podman network connect app ndl-dnp-b',
            'podman network disconnect podman ndl-dnp-a',
            'podman network disconnect podman ndl-dnp-b',
          ],
        },
      },
      UNUSED_DOCKER,
    ],
    nothingElse: true,
  },
  {
    on: labState('default-network-podman.fixed'),
    gone: [{ id: ID, severity: 'warning' }],
    shows: [UNUSED_DOCKER, UNUSED_PODMAN],
    nothingElse: true,
  },
  {
    on: labState('default-network-docker.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: {
          engine: 'docker',
          network: 'bridge',
          containers: expect.arrayContaining(['ndl-dnd-a', 'ndl-dnd-b']),
        },
        title: '2 container(s) on the default docker network "bridge", where names do not resolve',
      },
      UNUSED_PODMAN,
    ],
    nothingElse: true,
  },
  {
    on: labState('default-network-docker.fixed'),
    gone: [{ id: ID, severity: 'warning' }],
    shows: [UNUSED_DOCKER, UNUSED_PODMAN],
    nothingElse: true,
  },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), shows: [UNUSED_DOCKER, UNUSED_PODMAN], nothingElse: true },
  {
    on: hostSnapshot('healthy-rootless'),
    shows: [{ ...UNUSED_PODMAN, subject: { ...UNUSED_PODMAN.subject, scope: 'rootless' } }],
    nothingElse: true,
  },
]);
