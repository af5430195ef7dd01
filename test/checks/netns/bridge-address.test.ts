import check from '../../../checks/netns/bridge-address.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'netns.bridge_no_address';

checkCases(check, [
  {
    on: labState('netns-bridge-no-address.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-ha-br', interface: 'ndl-ha-br', namespaces: ['ndl-ha-red', 'ndl-ha-blue'] },
        title: 'Bridge ndl-ha-br lacks 10.231.3.1, the gateway of namespaces ndl-ha-red, ndl-ha-blue',
        fix: { commands: ['ip addr add 10.231.3.1/24 dev ndl-ha-br'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('netns-bridge-no-address.fixed'), gone: [ID] },
  // The baseline's bridge has an address and no port: no namespace uses it as a gateway.
  { on: labState('baseline-handmade.healthy'), passes: true },
]);
