import check from '../../../checks/podman/netavark-aardvark-versions.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'podman.netavark_aardvark_mismatch';

checkCases(check, [
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
