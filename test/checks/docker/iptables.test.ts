import check from '../../../checks/docker/iptables.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'docker.iptables_or_masq_disabled';

checkCases(check, [
  // It reads --iptables=false from the running dockerd, and the bridge that lost its masquerading with it.
  {
    on: labState('docker-iptables-off.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', scope: 'rootful' },
        title: 'dockerd runs with iptables=false',
        evidence: [{ source: 'process', what: /^\/proc\/\d+\/cmdline \(dockerd\)$/, excerpt: '--iptables=false' }],
        fix: {
          commands: [
            'kill 2685; while kill -0 2685 2>/dev/null; do sleep 1; done',
            'setsid dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &',
          ],
        },
      },
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', network: 'bridge', interface: 'docker0' },
        title: `Docker network "bridge" does not masquerade its containers' traffic`,
        fix: { commands: ['docker network rm bridge', 'docker network create --subnet 172.17.0.0/16 bridge'] },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('docker-iptables-off.fixed'),
    gone: [ID],
    result: {
      status: 'pass',
      summary: /^dockerd pid \d+: iptables=true \(default\), ip-masq=true \(default\), ip-forward=true \(default\)/,
    },
  },
  { on: hostSnapshot('live-root-icc-off'), result: { status: 'pass' } },
  { on: hostSnapshot('live-rootless'), result: { status: 'pass' } },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
]);
