import { describeRecordedCases } from '../../helpers/lab-replay.js';

describeRecordedCases({
  id: 'host.ip_forward_disabled',
  severity: 'error',
  broken: [
    {
      snapshot: 'netns-forwarding-off.broken',
      title:
        /^IPv4 forwarding is disabled \(net\.ipv4\.ip_forward = 0\): hand-made bridge ndl-hf-br is routed through the host$/,
      namespaces: ['ndl-hf-red', 'ndl-hf-blue'],
    },
  ],
  passing: ['netns-forwarding-off.fixed', 'baseline-handmade.healthy'],
});
