import check from '../../../checks/net/host-port.js';
import { checkCases } from '../../helpers/check-cases.js';
import { labState } from '../../helpers/recordings.js';

const ID = 'net.host_port_in_use';

checkCases(check, [
  // A host process holds the port: named with its pid from ss, and ended by the fix.
  {
    on: labState('host-port-in-use.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootful', containers: ['ndl-hp-web'] },
        title: /^ndl-hp-web cannot publish 0\.0\.0\.0:18431\/tcp: busybox \(pid \d+\) listens on 0\.0\.0\.0:18431$/,
        evidence: [
          { source: 'command', what: 'ss -Hlntp', excerpt: /0\.0\.0\.0:18431 .*users:\(\("busybox",pid=\d+/ },
          {
            source: 'command',
            what: 'podman ps --all --format json',
            excerpt: 'ndl-hp-web: created, publishes 0.0.0.0:18431/tcp',
          },
        ],
        fix: { commands: [/^kill \d+$/, 'podman start ndl-hp-web'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('host-port-in-use.fixed'), passes: true },
  // The other engine's container holds it: docker's failed start is the evidence, the podman container is stopped.
  {
    on: labState('host-port-in-use-docker.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', scope: 'rootful', containers: ['ndl-hpd-web'] },
        title:
          'ndl-hpd-web cannot publish 0.0.0.0:18432/tcp: 0.0.0.0:18432/tcp is published by podman container ndl-hpd-hold',
        evidence: [
          {
            source: 'command',
            what: 'podman container inspect ndl-hpd-hold',
            excerpt: 'ndl-hpd-hold runs and publishes 0.0.0.0:18432/tcp',
          },
          {
            source: 'command',
            what: 'docker container inspect ndl-hpd-web',
            excerpt:
              /^ndl-hpd-web: created, publishes 0\.0\.0\.0:18432\/tcp; last start: .*bind: address already in use$/,
          },
        ],
        fix: { commands: ['podman stop ndl-hpd-hold', 'docker start ndl-hpd-web'] },
      },
    ],
    nothingElse: true,
  },
  // The holder the fix stopped ran before: stopped on purpose, it asks for no port.
  { on: labState('host-port-in-use-docker.fixed'), passes: true },
  { on: labState('baseline-docker-podman.healthy'), passes: true },
]);
