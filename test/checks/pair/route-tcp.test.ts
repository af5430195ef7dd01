import check from '../../../checks/pair/route-tcp.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labWhyState } from '../../helpers/lab-why.js';

const ID = 'pair.tcp_port_closed';
const WHY = ['ndl-wa-web', '198.51.100.2:80'] as const;

checkCases(check, [
  // A forward-hook rule of nft table inet ndl_wa drops tcp to 198.51.100.2:80: the firewall link names it, and
  // its fix is an accept before it.
  {
    on: labWhyState('why-address-forward-drop.broken', ...WHY),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { containers: ['ndl-wa-web'] },
        title:
          /^198\.51\.100\.2:80 cannot be reached from ndl-wa-web: firewall: drop \(tcp port 80\): .*dropped by rule 1 of inet ndl_wa forward/,
        fix: { commands: [/^nft insert rule inet ndl_wa forward .*ip daddr 198\.51\.100\.2 tcp dport 80 accept$/] },
      },
    ],
    nothingElse: true,
  },
  { on: labWhyState('why-address-forward-drop.fixed', ...WHY), gone: [ID] },
  // The service on the host's loopback has its own finding (pair.host_service_loopback_only).
  { on: labWhyState('why-host-loopback.broken', 'ndl-wh-web', 'host:18081'), gone: [ID] },
  // Two namespaces with nothing listening: ping is the probe, no port is.
  {
    on: labWhyState('why-netns-healthy.healthy', 'netns:ndl-wn-red', 'netns:ndl-wn-blue'),
    result: { status: 'skip', skip: 'not_applicable' },
  },
]);
