import { describeRecordedCases } from '../../helpers/lab-replay.js';

describeRecordedCases({
  id: 'docker.forward_drop_breaks_other_bridges',
  severity: 'error',
  broken: [
    {
      snapshot: 'netns-docker-forward-drop.broken',
      title: /^Docker's FORWARD DROP policy drops the traffic of bridge ndl-hd-br \(same-bridge, to-outside/,
      namespaces: ['ndl-hd-red', 'ndl-hd-blue'],
    },
    {
      snapshot: 'netns-docker-forward-drop.broken',
      title: /^Docker's FORWARD DROP policy drops the traffic of bridge ndl-hd-virbr0 \(same-bridge, to-outside/,
      namespaces: ['ndl-hd-guest'],
    },
  ],
  // The tutorial's FORWARD accepts for its bridge (netns-no-route) and a bridge without ports (the baseline).
  passing: ['netns-docker-forward-drop.fixed', 'netns-no-route.fixed', 'baseline-handmade.healthy'],
});
