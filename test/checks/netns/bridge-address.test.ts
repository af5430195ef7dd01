import { describeRecordedCases } from '../../helpers/lab-replay.js';

describeRecordedCases({
  id: 'netns.bridge_no_address',
  severity: 'error',
  broken: [
    {
      snapshot: 'netns-bridge-no-address.broken',
      title: /^Bridge ndl-ha-br lacks 10\.231\.3\.1, the gateway of namespaces ndl-ha-red, ndl-ha-blue$/,
      namespaces: ['ndl-ha-red', 'ndl-ha-blue'],
    },
  ],
  // The baseline's bridge has an address and nothing on it: no namespace uses it as a gateway.
  passing: ['netns-bridge-no-address.fixed', 'baseline-handmade.healthy'],
});
