import check from '../../../checks/netns/veth-down.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'netns.veth_down';

// The tutorial's network as the lab builds it (test/lab/lib/handmade.ts): ndl-*-red and ndl-*-blue on bridge
// ndl-*-br, veth host ends ndl-*-vr and ndl-*-vb, their namespace ends <host end>-c.
checkCases(check, [
  {
    on: labState('netns-veth-down.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-hv-br', interface: 'ndl-hv-vb', namespaces: ['ndl-hv-blue'] },
        title:
          'The veth between namespace ndl-hv-blue and bridge ndl-hv-br is down at ndl-hv-vb (on the host, port of ndl-hv-br)',
        fix: { commands: ['ip link set dev ndl-hv-vb up'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('netns-veth-down.fixed'), gone: [ID] },
  // The end inside the namespace: set up in that namespace.
  {
    on: labState('why-netns-veth-down.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-wv-br', interface: 'ndl-wv-vb-c', namespaces: ['ndl-wv-blue'] },
        title:
          'The veth between namespace ndl-wv-blue and bridge ndl-wv-br is down at ndl-wv-vb-c (in namespace ndl-wv-blue)',
        fix: { commands: ['ip -n ndl-wv-blue link set dev ndl-wv-vb-c up'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('why-netns-veth-down.fixed'), gone: [ID] },
  // A namespace with loopback only, one on a veth to the host, and the lab's own outside host (ndext).
  { on: labState('baseline-handmade.healthy'), passes: true },
]);
