import check from '../../../checks/netns/masquerade.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'netns.no_masquerade';

checkCases(check, [
  {
    on: labState('netns-no-masquerade.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-hm-br', namespaces: ['ndl-hm-red', 'ndl-hm-blue'] },
        title: 'Subnet 10.231.4.0/24 of bridge ndl-hm-br is routed out through eth0 without masquerading',
        fix: { commands: ["iptables -t nat -A POSTROUTING -s 10.231.4.0/24 '!' -o ndl-hm-br -j MASQUERADE"] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('netns-no-masquerade.fixed'), gone: [ID] },
  // The tutorial's own rule, and the lab's outside host (ndext), routed through the host with an address that
  // needs no NAT.
  { on: labState('netns-no-route.fixed'), gone: [ID] },
  { on: labState('baseline-handmade.healthy'), gone: [ID] },
]);
