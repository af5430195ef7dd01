import check from '../../../checks/pair/host-service.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labWhyState } from '../../helpers/lab-why.js';

const ID = 'pair.host_service_loopback_only';
const WHY = ['ndl-wh-web', 'host:18081'] as const;

checkCases(check, [
  {
    on: labWhyState('why-host-loopback.broken', ...WHY),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { containers: ['ndl-wh-web'] },
        title:
          /^The host's service on port 18081 listens on 127\.0\.0\.1:18081 only; ndl-wh-web reaches the host at [\d.]+$/,
        fix: { commands: ['ss -l -t -n -p sport = :18081'] },
      },
    ],
    nothingElse: true,
  },
  // The same service on 0.0.0.0:18081.
  { on: labWhyState('why-host-loopback.fixed', ...WHY), passes: true },
  // B is no service of the host.
  {
    on: labWhyState('why-netns-healthy.healthy', 'netns:ndl-wn-red', 'netns:ndl-wn-blue'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'B is not a service of the host' },
  },
]);
