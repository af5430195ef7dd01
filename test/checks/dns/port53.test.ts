import { expect } from 'vitest';
import check from '../../../checks/dns/port53.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { ENOENT } from '../../helpers/fake-host.js';
import { fixtureText, hostSnapshot, labState, withAnswers } from '../../helpers/recordings.js';

const ID = 'dns.port53_taken_for_aardvark';
const SS = ['ss', '-Hlnup'];
const MOVE_AARDVARK =
  "printf '[network]\\ndns_bind_port = 1153\\n' > /etc/containers/containers.conf.d/50-aardvark-port.conf";
const live = hostSnapshot('live-root-icc-off');

// The live host with what a throwaway network namespace recorded in place of its listeners (test/fixtures/netns).
const wildcardDnsmasq = withAnswers(live, 'a wildcard dnsmasq in ss', {
  commands: [{ argv: SS, stdout: fixtureText('netns/wildcard-dnsmasq.ss.txt') }],
});
const wildcardWithoutSs = withAnswers(live, 'no ss, a wildcard dnsmasq in /proc/net/udp', {
  commands: [{ argv: SS, exitCode: null, error: ENOENT }],
  files: {
    '/proc/net/udp': fixtureText('netns/wildcard-dnsmasq.proc-net-udp.txt'),
    '/proc/net/udp6': fixtureText('netns/wildcard-dnsmasq.proc-net-udp6.txt'),
  },
});
const gatewayDnsmasq = withAnswers(live, 'a dnsmasq on a gateway in ss', {
  commands: [{ argv: SS, stdout: fixtureText('netns/gateway-dnsmasq.ss.txt') }],
});

checkCases(check, [
  // It names the process that holds the gateway's port, and moves aardvark-dns past it.
  {
    on: labState('port53-taken-on-gateway.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-p2dns', containers: ['ndl-p2dns-a', 'ndl-p2dns-b'] },
        title:
          /^dnsmasq \(pid \d+\) holds udp port 53 on gateway 10\.89\.188\.1: aardvark-dns cannot answer on ndl-p2dns$/,
        fix: { commands: expect.arrayContaining([MOVE_AARDVARK]) },
      },
    ],
    nothingElse: true,
  },
  {
    on: labState('port53-taken-on-gateway.fixed'),
    gone: [ID],
    result: { status: 'pass', summary: /udp port 1153 on .*ndl-p2dns 10\.89\.188\.1:1153/ },
  },
  // A wildcard dnsmasq keeps aardvark-dns off every gateway.
  {
    on: wildcardDnsmasq,
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndwhy-back, ndwhy-front' },
        title: /^dnsmasq \(pid \d+\) holds udp port 53 on the wildcard address 0\.0\.0\.0/,
        fix: { commands: expect.arrayContaining([MOVE_AARDVARK]) },
      },
    ],
    nothingElse: true,
  },
  // Without ss it falls back to /proc/net/udp: a wildcard socket is never aardvark-dns, whoever owns it.
  {
    on: wildcardWithoutSs,
    shows: [
      {
        id: ID,
        severity: 'error',
        title: /^a process netdoctor may not see .* holds udp port 53 on the wildcard address 0\.0\.0\.0/,
        evidence: startingWith({ what: '/proc/net/udp, /proc/net/udp6' }),
      },
    ],
    nothingElse: true,
  },
  {
    on: gatewayDnsmasq,
    shows: [{ id: ID, severity: 'error', subject: { network: 'ndwhy-front' } }],
    nothingElse: true,
  },
  { on: live, result: { status: 'pass' } },
  { on: hostSnapshot('live-rootless'), result: { status: 'skip', skip: 'not_applicable' } },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^no podman network has DNS enabled/ },
  },
]);
