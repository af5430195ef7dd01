import check from '../../../checks/pair/icmp.js';
import { checkCases } from '../../helpers/check-cases.js';
import { whyState, withAnswers } from '../../helpers/recordings.js';
import { PROBE_FAILURES, inBNamespace } from '../../helpers/why-recordings.js';

const ID = 'pair.icmp_blocked';
// nd-why-web is 10.89.1.64 and nd-why-db 10.89.1.63 on the recorded firewall-drop pair.
const FIREWALL_ACCEPT =
  'nft insert rule inet ndwhy forward iifname "podman2" oifname "podman2" ip saddr 10.89.1.64 ip daddr 10.89.1.63 tcp dport 80 accept';
const PODMAN = { engine: 'podman', scope: 'rootful', containers: ['nd-why-web', 'nd-why-db'] } as const;
const pingUnanswered = (echoIgnoreAll: '0' | '1') =>
  withAnswers(whyState('healthy-podman'), `a ping unanswered, icmp_echo_ignore_all = ${echoIgnoreAll}`, {
    commands: PROBE_FAILURES.pingUnanswered('healthy-podman', echoIgnoreAll),
  });

// Pairs of containers `netdoctor why --record` recorded on the lab host (test/fixtures/why), some with one
// probe's answer replaced.
checkCases(check, [
  // Ping passes where TCP is dropped: the rule that drops TCP is the one to fix.
  {
    on: whyState('firewall-drop'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: PODMAN,
        title: /is answered, while TCP is dropped$/,
        fix: { commands: [FIREWALL_ACCEPT] },
      },
    ],
    nothingElse: true,
  },
  // A container that ignores pings is told from a rule that drops them.
  {
    on: pingUnanswered('1'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: PODMAN,
        title: /nd-why-db ignores echo requests \(net\.ipv4\.icmp_echo_ignore_all = 1\)$/,
        fix: { commands: [inBNamespace('healthy-podman', 'sysctl -w net.ipv4.icmp_echo_ignore_all=0')] },
      },
    ],
    nothingElse: true,
  },
  {
    on: pingUnanswered('0'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: PODMAN,
        explanation: /does answer echo requests \(icmp_echo_ignore_all = 0\): a rule on the way drops ICMP/,
      },
    ],
    nothingElse: true,
  },
  // A connection that timed out while the ping is answered.
  {
    on: withAnswers(whyState('healthy-podman'), 'a connection that timed out', {
      commands: PROBE_FAILURES.connectTimedOut('healthy-podman'),
    }),
    shows: [{ id: ID, severity: 'warning', subject: PODMAN, title: /is answered, while TCP is dropped$/ }],
    nothingElse: true,
  },
  { on: whyState('healthy-podman'), passes: true, result: { summary: /^ping: reply / } },
  // docker drops the ping too when icc is off: both fail, and the TCP finding says why.
  { on: whyState('icc-off'), passes: true, result: { summary: 'ping: no_reply (no echo reply within 2 s)' } },
  {
    on: whyState('pod'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: 'no ping on this path: A and B share one network namespace',
    },
  },
]);
