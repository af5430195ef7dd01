import check from '../../../checks/aardvark/binary.js';
import { checkCases } from '../../helpers/check-cases.js';
import { hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'aardvark.missing';

checkCases(check, [
  // A missing binary is told from one that is not executable.
  {
    on: labState('aardvark-moved.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootful', network: 'ndl-aardm' },
        title: 'aardvark-dns is not installed',
        fix: { commands: ['apt-get install --reinstall -y aardvark-dns'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('aardvark-moved.fixed'), gone: [ID] },
  {
    on: labState('aardvark-not-executable.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootless', network: 'ndl-aardx' },
        title: 'aardvark-dns is not executable (/usr/lib/podman/aardvark-dns)',
        fix: { commands: ['chmod 0755 /usr/lib/podman/aardvark-dns'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('aardvark-not-executable.fixed'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-cni-docker'), gone: [ID] },
  { on: hostSnapshot('healthy-rootless'), gone: [ID] },
]);
