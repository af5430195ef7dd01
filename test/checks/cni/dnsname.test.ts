import check from '../../../checks/cni/dnsname.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'cni.dnsname_absent';

checkCases(check, [
  {
    on: labState('cni-dnsname-absent.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', scope: 'rootful', network: 'ndl-nodns' },
        title: 'CNI network ndl-nodns has no dnsname plugin',
        fix: { commands: ['podman network rm -f ndl-nodns', 'podman network create ndl-nodns'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('cni-dnsname-absent.fixed'), gone: [ID] },
  { on: labState('baseline-podman-cni.healthy'), gone: [ID] },
  {
    on: hostSnapshot('healthy-rootful-cni-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^no user-defined CNI network in \/etc\/cni\/net\.d/ },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^podman uses the netavark backend/ },
  },
]);
