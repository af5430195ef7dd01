import check from '../../../checks/cni/dnsmasq-running.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'cni.dnsmasq_not_running';

checkCases(check, [
  // It sees through a killed dnsmasq whose pid file went with it.
  {
    on: labState('cni-dnsmasq-killed.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: {
          engine: 'podman',
          scope: 'rootful',
          network: 'ndl-p2cni',
          containers: ['ndl-p2cni-a', 'ndl-p2cni-b'],
        },
        title: 'dnsmasq for CNI network "ndl-p2cni" is not running: names do not resolve there',
        explanation: /\/run\/containers\/cni\/dnsname\/ndl-p2cni\/pidfile does not exist/,
        fix: { commands: [/^podman restart ndl-p2cni-[ab]$/] },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('cni-dnsmasq-killed.fixed'),
    gone: [{ id: ID, network: 'ndl-p2cni' }],
    result: { status: 'pass', summary: /^running: ndl-p2cni: dnsmasq pid \d+$/ },
  },
  {
    on: hostSnapshot('healthy-rootful-cni-docker'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: /^no CNI network in \/etc\/cni\/net\.d uses the dnsname plugin/,
    },
  },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^podman uses the netavark backend/ },
  },
]);
