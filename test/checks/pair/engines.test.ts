import check from '../../../checks/pair/engines.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState } from '../../helpers/recordings.js';

const ID = 'pair.different_engines';

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why).
checkCases(check, [
  {
    on: whyState('different-engines'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { containers: ['nd-why-web', 'nd-why-db'] },
        title: 'nd-why-web is a docker container, nd-why-db is a rootful podman container',
        fix: { commands: ["podman container inspect --format '{{.Config.CreateCommand}}' nd-why-db"] },
      },
    ],
    nothingElse: true,
  },
  // Rootful and rootless podman of another user: seen from root, and from that user.
  {
    on: whyState('different-users-root'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { containers: ['nd-why-web', 'nd-why-db'] },
        title: 'nd-why-web is a rootful podman container, nd-why-db is a rootless podman container of ndlab',
        fix: {
          commands: ["su - ndlab -c 'podman container inspect --format '\\''{{.Config.CreateCommand}}'\\'' nd-why-db'"],
        },
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('different-users-ndlab'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { containers: ['nd-why-db', 'nd-why-web'] },
        title: 'nd-why-db is a rootless podman container of ndlab, nd-why-web is a rootful podman container',
        fix: { commands: [] },
      },
    ],
    nothingElse: true,
  },
  { on: whyState('healthy-podman'), passes: true },
  { on: whyState('no-shared-network-docker'), passes: true },
  { on: whyState('rootless-healthy'), passes: true },
  // A name both engines have cannot be placed: it says so, and how to write it.
  {
    on: whyState('ambiguous'),
    result: {
      status: 'skip',
      skip: 'cannot_decide',
      reason:
        /^nd-why-db names a container in docker \(\w+\) and rootful podman \(\w+\): write docker:nd-why-db or podman:nd-why-db/,
    },
  },
  {
    on: whyState('not-found'),
    result: {
      status: 'skip',
      skip: 'cannot_decide',
      reason:
        /^no container nd-why-ghost in docker and rootful podman; as root, netdoctor cannot see the rootless containers of ndlab/,
    },
  },
]);
