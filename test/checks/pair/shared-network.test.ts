import check from '../../../checks/pair/shared-network.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState } from '../../helpers/recordings.js';

const ID = 'pair.no_shared_network';
const FRONT_AND_BACK =
  'nd-why-web and nd-why-db share no network (nd-why-web is on ndwhy-front, nd-why-db on ndwhy-back)';

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why).
checkCases(check, [
  {
    on: whyState('no-shared-network-podman'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman' },
        title: FRONT_AND_BACK,
        fix: { commands: ['podman network connect ndwhy-back nd-why-web'] },
      },
    ],
    nothingElse: true,
  },
  // Even by address docker keeps its networks apart, and it names the rule that does.
  {
    on: whyState('no-shared-network-docker'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker' },
        title: FRONT_AND_BACK,
        explanation: /Even by address, docker keeps its networks apart: rule \d+ of ip filter DOCKER-ISOLATION-STAGE-2/,
        fix: { commands: ['docker network connect ndwhy-back nd-why-web'] },
      },
    ],
    nothingElse: true,
  },
  { on: whyState('healthy-podman'), passes: true, result: { summary: 'both are on network ndwhy-net' } },
  { on: whyState('pod'), passes: true, result: { summary: /^both are in pod \w+: B is at localhost/ } },
  {
    on: whyState('container-mode'),
    passes: true,
    result: { summary: /^nd-why-web uses the network namespace of nd-why-db/ },
  },
  { on: whyState('host-network'), passes: true, result: { summary: /^nd-why-web uses the host's network/ } },
  {
    on: whyState('not-running'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'nd-why-db is not running' },
  },
]);
