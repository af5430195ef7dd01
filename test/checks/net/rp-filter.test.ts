import check from '../../../checks/net/rp-filter.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'net.rp_filter_strict';

checkCases(check, [
  {
    on: labState('rp-filter-strict.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', scope: 'rootful', network: 'ndl-rp1, ndl-rp2', containers: ['ndl-rp-web'] },
        title:
          "Strict reverse-path filtering on host bridge podman1; host bridge podman2; eth0, eth1 inside the container: connections to ndl-rp-web's published ports (18482->80/tcp) can be dropped",
        evidence: [
          { source: 'file', what: '/proc/sys/net/ipv4/conf/all/rp_filter', excerpt: '1' },
          { source: 'file', what: '/proc/sys/net/ipv4/conf/podman1/rp_filter', excerpt: '1' },
          { source: 'file', what: '/proc/sys/net/ipv4/conf/podman2/rp_filter', excerpt: '1' },
          // The container's own values, read in its network namespace.
          {
            source: 'command',
            what: /^nsenter --target=\d+ --net sysctl --pattern/,
            excerpt: /net\.ipv4\.conf\.eth1\.rp_filter = 1/,
          },
        ],
        fix: {
          commands: [
            'sysctl -w net.ipv4.conf.all.rp_filter=2',
            'sysctl -w net.ipv4.conf.default.rp_filter=2',
            "printf 'net.ipv4.conf.all.rp_filter = 2\\nnet.ipv4.conf.default.rp_filter = 2\\n' > /etc/sysctl.d/99-container-rp-filter.conf",
            'podman restart ndl-rp-web',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('rp-filter-strict.fixed'),
    passes: true,
    result: {
      summary: 'net.ipv4.conf.all.rp_filter = 2; containers on several networks with published ports: ndl-rp-web',
    },
  },
  // Every container of the baseline is on one network only.
  { on: labState('baseline-docker-podman.healthy'), result: { status: 'skip', skip: 'not_applicable' } },
]);
