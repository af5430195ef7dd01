import check from '../../../checks/dns/port53-dnsname.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'dns.port53_taken_for_dnsname';

checkCases(check, [
  // A host dnsmasq bound the gateway before dnsname's own could: podman run failed for both containers.
  {
    on: labState('port53-dnsname.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-dnsn', containers: ['ndl-dnsn-a', 'ndl-dnsn-b'] },
        title: /^dnsmasq \(pid \d+\) holds udp port 53 on gateway 10\.90\.224\.1/,
        // `podman start` alone left the peer's name on its failed start's address: the restart clears it.
        fix: { commands: [/^kill \d+$/, 'podman start ndl-dnsn-a ndl-dnsn-b', 'podman restart ndl-dnsn-a ndl-dnsn-b'] },
      },
    ],
    nothingElse: true,
  },
  // After the printed fix (holder ended, the containers started, then restarted once): the peer's name resolved to
  // its current address.
  { on: labState('port53-dnsname.fixed'), passes: true },
  { on: labState('baseline-podman-cni.healthy'), passes: true },
  // netavark: dnsname's dnsmasq is not what serves names there.
  { on: labState('baseline-podman-netavark.healthy'), result: { status: 'skip', skip: 'not_applicable' } },
]);
