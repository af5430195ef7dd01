import check from '../../../checks/dns/upstream.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState, type Recording } from '../../helpers/recordings.js';

const ID = 'dns.upstream_unreachable';

/** The scenario's run had --probe-dns: its snapshot holds the answers of the probes. */
function probed(recording: Recording): Recording {
  return { ...recording, probes: { dns: true } };
}

checkCases(check, [
  // dns_servers names a server that is gone: one bounded query from each container's namespace goes unanswered.
  {
    on: probed(labState('dns-upstream-dead-server.broken')),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', containers: ['ndl-dnsup-a', 'ndl-dnsup-b'] },
        title: /^DNS server 198\.51\.100\.3 does not answer/,
      },
    ],
    nothingElse: true,
  },
  { on: probed(labState('dns-upstream-dead-server.fixed')), gone: [ID] },
  // Without the probe it does not guess about a server it did not ask.
  { on: labState('dns-upstream-dead-server.broken'), gone: [ID] },
  // --dns 127.0.0.1 is the container's own loopback: decided without sending anything.
  {
    on: labState('dns-upstream-loopback-docker.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', containers: ['ndl-dnslo'] },
        title: /^DNS server 127\.0\.0\.1 does not answer from ndl-dnslo's network namespace/,
      },
    ],
    nothingElse: true,
  },
  { on: labState('dns-upstream-loopback-docker.fixed'), gone: [ID] },
  { on: labState('baseline-docker-podman.healthy'), gone: [ID] },
]);
