import { describeRecordedCases } from '../../helpers/lab-replay.js';

describeRecordedCases({
  id: 'netns.no_route',
  severity: 'error',
  broken: [
    {
      snapshot: 'netns-no-route.broken',
      title: /^Namespace ndl-hr-red has no default route; ndl-hr-blue on bridge ndl-hr-br goes out via 10\.231\.2\.1$/,
      namespaces: ['ndl-hr-red'],
    },
  ],
  // A namespace whose veth is down lost its routes with it: that is netns.veth_down's.
  passing: ['netns-no-route.fixed', 'baseline-handmade.healthy', 'netns-veth-down.broken'],
});
