import check from '../../../checks/net/conntrack.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'net.conntrack_table_full';

// Recorded in the lab guest (a kernel of its own): 80 connections held open, then nf_conntrack_max = 64.
checkCases(check, [
  {
    on: labState('conntrack-full.broken'),
    shows: [{ id: ID, severity: 'error', title: /is full \(\d+ of 64 entries\)/ }],
    nothingElse: true,
  },
  { on: labState('conntrack-full.fixed'), passes: true },
  { on: labState('baseline-docker-podman.healthy'), passes: true },
]);
