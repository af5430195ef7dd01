import check from '../../../checks/pair/tcp.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState, withAnswers } from '../../helpers/recordings.js';
import { PROBE_FAILURES } from '../../helpers/why-recordings.js';

const ID = 'pair.tcp_port_closed';
// nd-why-web is 10.89.1.64 and nd-why-db 10.89.1.63 on the recorded firewall-drop pair.
const FIREWALL_ACCEPT =
  'nft insert rule inet ndwhy forward iifname "podman2" oifname "podman2" ip saddr 10.89.1.64 ip daddr 10.89.1.63 tcp dport 80 accept';
const PODMAN = { engine: 'podman', scope: 'rootful', containers: ['nd-why-web', 'nd-why-db'] } as const;

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why), some with one
// probe's answer replaced.
checkCases(check, [
  // Loopback only is told from nothing listening, and from packets dropped on the way.
  {
    on: whyState('loopback-only'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: PODMAN,
        title:
          'nd-why-db:5432 cannot be reached from nd-why-web: nd-why-db listens on 127.0.0.1:5432 only, a loopback address no other container can reach',
        fix: { commands: [/^nsenter --target \d+ --net ss -l -t -n -p sport = :5432$/] },
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('rootless-loopback-only'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { ...PODMAN, scope: 'rootless' },
        title: /listens on 127\.0\.0\.1:80 only/,
        fix: { commands: [/^podman unshare nsenter --target \d+ --net ss -l -t -n -p sport = :80$/] },
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('port-not-served'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: PODMAN,
        title: 'nd-why-db:5432 cannot be reached from nd-why-web: nothing listens on port 5432 in nd-why-db',
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('nothing-listening'),
    shows: [{ id: ID, severity: 'error', subject: PODMAN, title: 'nothing listens on any TCP port in nd-why-db' }],
    nothingElse: true,
  },
  // It names the rule that drops the connection, and prints the accept that lets it through, before that rule.
  {
    on: whyState('firewall-drop'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: PODMAN,
        title:
          'nd-why-db:80 cannot be reached from nd-why-web: packets to 10.89.1.63:80 are dropped by rule 1 of inet ndwhy forward: ip saddr 10.89.1.64 ip daddr 10.89.1.63 tcp dport 80 drop',
        fix: { commands: [FIREWALL_ACCEPT] },
      },
    ],
    nothingElse: true,
  },
  {
    on: whyState('icc-off'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker' },
        title:
          /^nd-why-db:80 cannot be reached from nd-why-web: packets to [\d.]+:80 are dropped: inter-container communication is off on docker network ndwhy-noicc \(enable_icc=false\)$/,
      },
    ],
    nothingElse: true,
  },
  // A connection that timed out although the firewall model lets it through: dropped on the way.
  {
    on: withAnswers(whyState('healthy-podman'), 'a connection that timed out', {
      commands: PROBE_FAILURES.connectTimedOut('healthy-podman'),
    }),
    shows: [{ id: ID, severity: 'error', subject: PODMAN, title: /packets to [\d.]+:80 are dropped on the way/ }],
    nothingElse: true,
  },
  // B's listening sockets cannot be read when its namespace cannot be entered: there is no port to probe.
  {
    on: withAnswers(whyState('healthy-podman'), 'nsenter refused', {
      commands: PROBE_FAILURES.nsenterDenied('healthy-podman'),
    }),
    result: {
      status: 'skip',
      skip: 'cannot_decide',
      reason:
        /^no port to probe: nd-why-db's listening sockets could not be read: `nsenter .*` failed: nsenter: cannot open/,
    },
  },
  {
    on: whyState('healthy-podman'),
    passes: true,
    result: { summary: 'port 80 of nd-why-db accept connections from nd-why-web' },
  },
  { on: whyState('pod'), passes: true },
  { on: whyState('rootless-healthy'), passes: true },
  {
    on: whyState('not-running'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'nd-why-db is not running' },
  },
]);
