import { describe, expect, it } from 'vitest';
import { CONMON_PROCESSES, parseConmonProcesses, parseReference } from '../../src/pair/locate.js';
import { recordedCommandWith } from '../helpers/why-recordings.js';

describe('finding the containers', () => {
  it('reads who runs a container from its conmon process', () => {
    const processes = parseConmonProcesses(recordedCommandWith('different-users-root', ...CONMON_PROCESSES).stdout);
    const db = processes.find((process) => process.name === 'nd-why-db');
    expect(db).toMatchObject({ uid: 1500, user: 'ndlab' });
    expect(db?.storage).toBe('/home/ndlab/.local/share/containers/storage');
    expect(processes.find((process) => process.name === 'nd-why-web')).toMatchObject({
      uid: 0,
      user: 'root',
      storage: '/var/lib/containers/storage',
    });
  });

  it('takes docker: and podman: as the engine of a reference', () => {
    expect(parseReference('docker:web')).toEqual({ engine: 'docker', name: 'web' });
    expect(parseReference('podman:3f2a')).toEqual({ engine: 'podman', name: '3f2a' });
    expect(parseReference('web')).toEqual({ name: 'web' });
  });
});
