import check from '../../../checks/pair/reachable.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState } from '../../helpers/recordings.js';

const ID = 'pair.reachable';
const PODMAN = { engine: 'podman', scope: 'rootful', containers: ['nd-why-web', 'nd-why-db'] } as const;

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why): every probe
// passed on the healthy ones.
checkCases(check, [
  {
    on: whyState('healthy-podman'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: PODMAN,
        title:
          /^nd-why-db is reachable from nd-why-web: port 80 accepts connections at [\d.]+ on network ndwhy-net, and the name nd-why-db resolves to [\d.]+$/,
        fix: { commands: [] },
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('pod'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: PODMAN,
        title:
          'nd-why-db is reachable from nd-why-web: port 8080 accepts connections at 127.0.0.1 (one network namespace)',
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('container-mode'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: PODMAN,
        title:
          'nd-why-db is reachable from nd-why-web: port 80 accepts connections at 127.0.0.1 (one network namespace)',
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('host-network'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: PODMAN,
        title: /^nd-why-db is reachable from nd-why-web: port 80 accepts connections at [\d.]+$/,
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('rootless-healthy'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { ...PODMAN, scope: 'rootless' },
        title: /on network ndwhy-net, and the name nd-why-db resolves to [\d.]+$/,
      },
    ],
    nothingElse: true,
  },
  // Something on the way is broken: it does not apply, and says which link.
  {
    on: whyState('loopback-only'),
    gone: [ID],
    result: { status: 'skip', skip: 'not_applicable', reason: 'not every port accepted the connection' },
  },
  {
    on: whyState('nothing-listening'),
    gone: [ID],
    result: { status: 'skip', skip: 'not_applicable', reason: 'nothing listens in B' },
  },
  {
    on: whyState('default-bridge'),
    gone: [ID],
    result: { status: 'skip', skip: 'not_applicable', reason: "B's name did not resolve" },
  },
  {
    on: whyState('no-shared-network-podman'),
    gone: [ID],
    result: { status: 'skip', skip: 'not_applicable', reason: 'they share no network' },
  },
  {
    on: whyState('not-found'),
    gone: [ID],
    result: { status: 'skip', skip: 'not_applicable', reason: 'a container was not found' },
  },
]);
