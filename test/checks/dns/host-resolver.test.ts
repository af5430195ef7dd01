import check from '../../../checks/dns/host-resolver.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'dns.host_resolver_loopback_only';
const TITLE = "The host's only nameservers (127.0.1.1) are loopback addresses containers cannot reach";

checkCases(check, [
  {
    on: labState('resolver-loopback-only.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { path: '/etc/resolv.conf' },
        title: TITLE,
        evidence: startingWith({ source: 'file', what: '/etc/resolv.conf', excerpt: 'nameserver 127.0.1.1' }),
      },
    ],
    nothingElse: true,
  },
  // The lab's printed fix gave podman an upstream (dns_servers); docker's part (a dockerd restart) was left out.
  {
    on: labState('resolver-loopback-only.fixed'),
    shows: [{ id: ID, severity: 'warning', subject: { path: '/etc/resolv.conf', engine: 'docker' }, title: TITLE }],
    nothingElse: true,
  },
  { on: hostSnapshot('live-root-icc-off'), result: { status: 'pass' } },
  { on: hostSnapshot('live-rootless'), result: { status: 'pass' } },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootless'), passes: true },
]);
