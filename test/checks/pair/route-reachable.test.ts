import check from '../../../checks/pair/route-reachable.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labWhyState } from '../../helpers/lab-why.js';

const ID = 'pair.reachable';
const NAMESPACES = ['netns:ndl-wn-red', 'netns:ndl-wn-blue'] as const;

checkCases(check, [
  {
    on: labWhyState('why-netns-healthy.healthy', ...NAMESPACES),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { namespaces: ['ndl-wn-red', 'ndl-wn-blue'] },
        title:
          /^netns:ndl-wn-blue is reachable from netns:ndl-wn-red: ping 10\.231\.8\.3 is answered on bridge ndl-wn-br/,
      },
    ],
    nothingElse: true,
  },
  {
    on: labWhyState('why-host-loopback.fixed', 'ndl-wh-web', 'host:18081'),
    shows: [
      {
        id: ID,
        severity: 'info',
        subject: { containers: ['ndl-wh-web'] },
        title: /^host:18081 is reachable from ndl-wh-web: port 18081 accepts connections at [\d.]+$/,
      },
    ],
  },
  // A link of the way is broken: the veth of blue is down.
  {
    on: labWhyState('why-netns-veth-down.broken', 'netns:ndl-wv-red', 'netns:ndl-wv-blue'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: "a link of the way is broken (netns:ndl-wv-blue's veth)",
    },
  },
  { on: labWhyState('why-address-forward-drop.broken', 'ndl-wa-web', '198.51.100.2:80'), gone: [ID] },
]);
