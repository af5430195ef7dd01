import check from '../../../checks/podman/backend.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'podman.backend_is_cni';
const ON_CNI = {
  id: ID,
  severity: 'info',
  subject: { engine: 'podman', scope: 'rootful' },
  title: 'Podman uses the CNI network backend',
} as const;

checkCases(check, [
  { on: labState('podman-cni-backend.broken'), shows: [ON_CNI], nothingElse: true },
  { on: labState('podman-backend-pinned.broken'), shows: [ON_CNI], nothingElse: true },
  { on: labState('baseline-podman-cni.healthy'), shows: [ON_CNI], nothingElse: true },
  { on: hostSnapshot('healthy-rootful-cni-docker'), shows: [ON_CNI], nothingElse: true },
  { on: labState('baseline-podman-netavark.healthy'), gone: [ID] },
  { on: labState('baseline-rootless.healthy'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootless'), passes: true },
  // podman info fails on a broken store: the backend is unknown, and it says so rather than guess.
  {
    on: labState('podman-broken-store.broken'),
    result: { status: 'skip', skip: 'cannot_decide', reason: /^`podman info --format json` failed \(exit 125\)/ },
  },
]);
