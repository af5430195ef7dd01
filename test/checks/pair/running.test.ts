import check from '../../../checks/pair/running.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState } from '../../helpers/recordings.js';

const ID = 'pair.not_running';

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why).
checkCases(check, [
  {
    on: whyState('not-running'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootful', containers: ['nd-why-db'] },
        title: 'nd-why-db is not running (exited)',
        fix: { commands: ['podman logs --tail 20 nd-why-db', 'podman start nd-why-db'] },
      },
    ],
    nothingElse: true,
  },
  { on: whyState('healthy-podman'), passes: true },
  { on: whyState('rootless-healthy'), passes: true },
  // The one that was found runs; the other is another check's business.
  { on: whyState('not-found'), result: { status: 'pass', summary: 'nd-why-web runs' } },
]);
