import check from '../../../checks/cni/dnsmasq.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'cni.dnsmasq_missing';

checkCases(check, [
  {
    on: labState('cni-dnsmasq-not-executable.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootful', network: 'ndl-dnsm' },
        title: 'dnsmasq is not executable (/usr/sbin/dnsmasq)',
        fix: { commands: ['chmod 0755 /usr/sbin/dnsmasq'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('cni-dnsmasq-not-executable.fixed'), gone: [ID] },
  { on: labState('baseline-podman-cni.healthy'), gone: [ID] },
  {
    on: hostSnapshot('healthy-rootful-cni-docker'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: /^no CNI network in \/etc\/cni\/net\.d uses the dnsname plugin/,
    },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^podman uses the netavark backend/ },
  },
]);
