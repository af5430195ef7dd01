import check from '../../../checks/pair/name.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState } from '../../helpers/recordings.js';

const ID = 'pair.name_not_resolvable';

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why).
checkCases(check, [
  {
    on: whyState('default-bridge'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', network: 'bridge', containers: ['nd-why-web', 'nd-why-db'] },
        title: "nd-why-web cannot resolve nd-why-db: docker's default network bridge has no DNS",
        fix: {
          commands: [
            'docker network create app',
            'docker network connect app nd-why-web',
            'docker network connect app nd-why-db',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: whyState('healthy-podman'), passes: true, result: { summary: /^10\.89\.0\.1 answered [\d.]+ for nd-why-db$/ } },
  // docker's embedded DNS answers on user networks.
  { on: whyState('icc-off'), passes: true, result: { summary: /^127\.0\.0\.11 answered [\d.]+ for nd-why-db$/ } },
  { on: whyState('rootless-healthy'), passes: true },
  {
    on: whyState('pod'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'no name lookup on this path (one network namespace)' },
  },
  {
    on: whyState('host-network'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: 'no name lookup on this path (the network serves no names)',
    },
  },
]);
