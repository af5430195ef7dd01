import { describeRecordedCases } from '../../helpers/lab-replay.js';

describeRecordedCases({
  id: 'netns.no_masquerade',
  severity: 'error',
  broken: [
    {
      snapshot: 'netns-no-masquerade.broken',
      title: /^Subnet 10\.231\.4\.0\/24 of bridge ndl-hm-br is routed out through eth0 without masquerading$/,
      namespaces: ['ndl-hm-red', 'ndl-hm-blue'],
    },
  ],
  // The lab's outside host (netns ndext) is routed through the host too, with an address that needs no NAT.
  passing: ['netns-no-masquerade.fixed', 'baseline-handmade.healthy', 'netns-no-route.fixed'],
});
