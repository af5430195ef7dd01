import check from '../../../checks/netns/no-route.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'netns.no_route';

checkCases(check, [
  {
    on: labState('netns-no-route.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-hr-br', interface: 'ndl-hr-vr-c', namespaces: ['ndl-hr-red'] },
        title: 'Namespace ndl-hr-red has no default route; ndl-hr-blue on bridge ndl-hr-br goes out via 10.231.2.1',
        fix: { commands: ['ip -n ndl-hr-red route add default via 10.231.2.1'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('netns-no-route.fixed'), gone: [ID] },
  // A veth end set down takes its routes with it: that is netns.veth_down's finding, not a missing route.
  { on: labState('why-netns-veth-down.broken'), gone: [ID] },
  // A namespace alone on its veth, without a default route: no neighbour says it should have one.
  { on: labState('baseline-handmade.healthy'), passes: true },
]);
