import check from '../../../checks/aardvark/running.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'aardvark.not_running';

checkCases(check, [
  {
    on: labState('aardvark-killed.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: {
          engine: 'podman',
          scope: 'rootful',
          network: 'ndl-p2aard',
          containers: ['ndl-p2aard-a', 'ndl-p2aard-b'],
        },
        title: 'aardvark-dns is not running: names do not resolve on ndl-p2aard',
        evidence: startingWith(
          { what: '/run/containers/networks/aardvark-dns/aardvark.pid' },
          { excerpt: /^no process \d+ / },
        ),
        fix: { commands: ['rm -f /run/containers/networks/aardvark-dns/aardvark.pid', 'podman restart ndl-p2aard-a'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('aardvark-killed.fixed'), gone: [{ id: ID, network: 'ndl-p2aard' }] },
  {
    on: hostSnapshot('live-root-icc-off'),
    result: { status: 'pass', summary: /^aardvark-dns runs \(pid 18035\) for ndwhy-back, ndwhy-front/ },
  },
  {
    on: hostSnapshot('live-rootless'),
    result: { status: 'pass', summary: /^aardvark-dns runs \(pid \d+\) for ndwhy-rl/ },
  },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), gone: [ID] },
]);
