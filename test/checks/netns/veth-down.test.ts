import { describeRecordedCases } from '../../helpers/lab-replay.js';

describeRecordedCases({
  id: 'netns.veth_down',
  severity: 'error',
  broken: [
    {
      snapshot: 'netns-veth-down.broken',
      title: /^The veth between namespace ndl-hv-blue and bridge ndl-hv-br is down at ndl-hv-vb \(on the host/,
      namespaces: ['ndl-hv-blue'],
    },
  ],
  passing: ['netns-veth-down.fixed', 'baseline-handmade.healthy', 'netns-no-route.broken'],
});
