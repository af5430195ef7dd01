import check from '../../../checks/podman/netavark-aardvark-versions.js';
import { checkCases, containing } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'podman.netavark_aardvark_mismatch';

checkCases(check, [
  // gen1's aardvark-dns 1.4.0 over gen2's 1.14.0: names resolved, while the internal network's gateway answered
  // ext.test and a TCP query to it was refused; with the packaged binary back, NXDOMAIN and a TCP answer.
  {
    on: gen2State('netavark-aardvark-mismatch.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', scope: 'rootful', path: '/usr/lib/podman/aardvark-dns' },
        title: 'netavark 1.14 runs with aardvark-dns 1.4',
        explanation: containing(
          'Known effects of this combination: containers on internal networks get answers for outside names',
          'DNS over TCP to the network gateway is refused',
          'aardvark-dns_1.14.0-3_amd64, is of release 1.14: the file is not the one its package installed',
        ),
        fix: { commands: ['apt-get install --reinstall -y netavark aardvark-dns'] },
      },
    ],
    nothingElse: true,
  },
  { on: gen2State('netavark-aardvark-mismatch.fixed'), passes: true },
  // Debian 13's pair, as installed: netavark 1.14.0 and aardvark-dns 1.14.0.
  { on: gen2State('baseline-podman-netavark.healthy'), passes: true },
  { on: gen2State('baseline-rootless.healthy'), passes: true },
  { on: gen2State('baseline-netavark-nftables.healthy'), gone: [ID] },
  // podman 4.3.1 has no host.networkBackendInfo: the versions are unknown, and it says so.
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: {
      status: 'skip',
      skip: 'cannot_decide',
      reason:
        'podman 4.3.1 does not report the versions of netavark and aardvark-dns (host.networkBackendInfo in `podman info`)',
    },
  },
  {
    on: labState('baseline-podman-cni.healthy'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: 'podman uses the cni backend, which has no aardvark-dns',
    },
  },
]);
