import check from '../../../checks/host/handmade-forward.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'host.ip_forward_disabled';

checkCases(check, [
  {
    on: labState('netns-forwarding-off.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-hf-br', namespaces: ['ndl-hf-red', 'ndl-hf-blue'] },
        title:
          'IPv4 forwarding is disabled (net.ipv4.ip_forward = 0): hand-made bridge ndl-hf-br is routed through the host',
        fix: {
          commands: [
            'sysctl -w net.ipv4.ip_forward=1',
            'sysctl -w net.ipv4.conf.ndl-hf-br.forwarding=1',
            "printf 'net.ipv4.ip_forward = 1\\n' > /etc/sysctl.d/99-container-forwarding.conf",
          ],
        },
      },
      // The lab's outside host is routed through the host as well.
      { id: ID, severity: 'error', subject: { interface: 'ndup', namespaces: ['ndext'] } },
    ],
    nothingElse: true,
  },
  { on: labState('netns-forwarding-off.fixed'), gone: [ID] },
  { on: labState('baseline-handmade.healthy'), passes: true },
]);
