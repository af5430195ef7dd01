import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import { hypervisorFromDmi, hostPlatform, isWslKernel, parseCpuinfo } from '../../src/facts/platform.js';
import { ReplayHost } from '../../src/host/replay.js';
import { parseSnapshot } from '../../src/host/snapshot.js';
import { recordedFile } from '../helpers/recorded.js';
import { validateSnapshot } from '../helpers/snapshot.js';

const path = new URL('../fixtures/platform/lab-vm.json', import.meta.url).pathname;
const snapshot = parseSnapshot(readFileSync(path, 'utf8'), path, validateSnapshot);

describe('the host platform', () => {
  it('is read through the host door and replays from a snapshot', async () => {
    const platform = await new Facts(new ReplayHost(snapshot)).get(hostPlatform);
    expect(platform).toEqual({
      unread: [],
      distribution: 'debian 12',
      wsl: false,
      cpuModel: 'AMD EPYC',
      cpus: 2,
      memoryBytes: 25276157952,
      virtualization: 'unnamed hypervisor',
      container: 'docker',
    });
  });

  it('says what a snapshot from before the host context did not record', async () => {
    const older = { ...snapshot, files: snapshot.files.filter((file) => !file.path.startsWith('/proc/')) };
    const platform = await new Facts(new ReplayHost(older)).get(hostPlatform);
    expect(platform.cpus).toBeUndefined();
    expect(platform.virtualization).toBeUndefined();
    expect(platform.unread).toContain('the file /proc/cpuinfo was not recorded in the snapshot');
  });

  it('parses the recorded /proc/cpuinfo', () => {
    expect(parseCpuinfo(recordedFile(snapshot, '/proc/cpuinfo').content)).toEqual({
      model: 'AMD EPYC',
      count: 2,
      hypervisorFlag: true,
    });
  });

  it.each([
    ['QEMU', 'Standard PC (Q35 + ICH9, 2009)', 'qemu'],
    ['Microsoft Corporation', 'Virtual Machine', 'hyper-v'],
    ['VMware, Inc.', 'VMware Virtual Platform', 'vmware'],
    ['innotek GmbH', 'VirtualBox', 'virtualbox'],
    ['Amazon EC2', 'c5.large', 'amazon'],
    ['Dell Inc.', 'PowerEdge R640', undefined],
  ])('names the hypervisor of DMI %s / %s', (vendor, product, expected) => {
    expect(hypervisorFromDmi(vendor, product)).toBe(expected);
  });

  it('knows a WSL kernel by its release', () => {
    expect(isWslKernel('5.15.153.1-microsoft-standard-WSL2')).toBe(true);
    expect(isWslKernel('6.18.44-fc-v1272')).toBe(false);
  });
});
