import { expect } from 'vitest';
import check from '../../../checks/docker/icc.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'docker.icc_disabled';

checkCases(check, [
  {
    on: labState('docker-icc-off.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', network: 'ndl-p2icc', containers: ['ndl-p2icc-b', 'ndl-p2icc-a'] },
        title: 'Containers on docker network "ndl-p2icc" cannot reach each other (icc off)',
        evidence: [
          {
            source: 'command',
            what: 'docker network inspect ndl-p2icc',
            excerpt: '"com.docker.network.bridge.enable_icc": "false"',
          },
        ],
      },
    ],
    nothingElse: true,
  },
  { on: labState('docker-icc-off.fixed'), gone: [{ id: ID, network: 'ndl-p2icc' }] },
  // Another session's network, created with enable_icc=false: an error, since two containers use it.
  {
    on: hostSnapshot('live-root-icc-off'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndwhy-noicc', containers: ['nd-why-idb', 'nd-why-iweb'] },
        evidence: startingWith({ excerpt: '"com.docker.network.bridge.enable_icc": "false"' }),
        fix: { commands: expect.arrayContaining(['docker network rm ndwhy-noicc']) },
      },
    ],
    nothingElse: true,
  },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  {
    on: hostSnapshot('healthy-rootless'),
    result: { status: 'skip', skip: 'cannot_decide', reason: /^ndlab may not use \/var\/run\/docker\.sock/ },
  },
]);
