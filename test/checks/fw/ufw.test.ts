import check from '../../../checks/fw/ufw.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'fw.ufw_bypassed_by_published_ports';

// Recorded in the lab guest: ufw enabled there (deny incoming), docker publishing 18080 on all addresses.
checkCases(check, [
  {
    on: labState('ufw-published-port.broken'),
    shows: [{ id: ID, severity: 'warning', subject: { engine: 'docker', containers: ['ndl-ufw-web'] } }],
    nothingElse: true,
  },
  { on: labState('ufw-published-port.fixed'), passes: true },
  // This host has no ufw.
  { on: labState('baseline-docker-podman.healthy'), result: { status: 'skip', skip: 'not_applicable' } },
]);
