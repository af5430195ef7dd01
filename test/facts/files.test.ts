import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import {
  describeLookup,
  findExecutable,
  isExecutableBy,
  isReadWritableBy,
  sysctl,
  systemSearchPath,
} from '../../src/facts/files.js';
import type { FileStat, HostContext } from '../../src/core/host.js';
import { EACCES, ENOENT, FakeHost } from '../helpers/fake-host.js';
import { recordedSnapshot, recordedStat } from '../helpers/recorded.js';

// Stats and contexts as recorded on the lab host: root, and ndlab (uid 1500, not in the docker group).
const rootful = recordedSnapshot('healthy-rootful-netavark-docker');
const rootless = recordedSnapshot('healthy-rootless');
const root = rootful.context;
const ndlab = rootless.context;
const iptables = recordedStat(rootless, '/usr/sbin/iptables').stat;
const dockerSocket = recordedStat(rootless, '/var/run/docker.sock').stat;
const tun = recordedStat(rootless, '/dev/net/tun').stat;

function withMode(stat: FileStat, mode: number, owner: Partial<FileStat> = {}): FileStat {
  return { ...stat, mode, ...owner };
}

function inGroup(context: HostContext, gid: number): HostContext {
  return { ...context, groups: [...context.groups, gid] };
}

describe('isExecutableBy', () => {
  it('lets root and ndlab run /usr/sbin/iptables (0755 root:root)', () => {
    expect(isExecutableBy(iptables, root)).toBe(true);
    expect(isExecutableBy(iptables, ndlab)).toBe(true);
  });

  it('follows the owner, then the group, then the others bits', () => {
    expect(isExecutableBy(withMode(iptables, 0o744), ndlab)).toBe(false);
    expect(isExecutableBy(withMode(iptables, 0o754, { gid: 1500 }), ndlab)).toBe(true);
    expect(isExecutableBy(withMode(iptables, 0o745, { gid: 1500 }), ndlab)).toBe(false);
    expect(isExecutableBy(withMode(iptables, 0o645, { uid: 1500 }), ndlab)).toBe(false);
  });

  it('lets root run a file that has any execute bit, and none that has none', () => {
    expect(isExecutableBy(withMode(iptables, 0o010), root)).toBe(true);
    expect(isExecutableBy(withMode(iptables, 0o644), root)).toBe(false);
  });

  it('never calls a socket or a device executable', () => {
    expect(isExecutableBy(withMode(dockerSocket, 0o777), root)).toBe(false);
    expect(isExecutableBy(withMode(tun, 0o777), root)).toBe(false);
  });
});

describe('isReadWritableBy', () => {
  it("keeps ndlab out of the docker socket (0660 root:docker), and lets a member of the socket's group in", () => {
    expect(dockerSocket).toMatchObject({ mode: 0o660, uid: 0 });
    expect(ndlab.groups).not.toContain(dockerSocket.gid);
    expect(isReadWritableBy(dockerSocket, ndlab)).toBe(false);
    expect(isReadWritableBy(dockerSocket, inGroup(ndlab, dockerSocket.gid))).toBe(true);
    expect(isReadWritableBy(dockerSocket, root)).toBe(true);
  });

  it('lets ndlab use /dev/net/tun at 0666, not at the 0600 of a fresh VM', () => {
    expect(isReadWritableBy(tun, ndlab)).toBe(true);
    expect(isReadWritableBy(withMode(tun, 0o600), ndlab)).toBe(false);
  });

  it('needs both read and write', () => {
    expect(isReadWritableBy(withMode(tun, 0o664), ndlab)).toBe(false);
    expect(isReadWritableBy(withMode(tun, 0o662), ndlab)).toBe(false);
  });
});

describe('findExecutable', () => {
  it('finds dockerd where the recorded run found it', async () => {
    const host = new FakeHost({ snapshot: rootful });
    const lookup = await findExecutable(host, 'dockerd', systemSearchPath(host.context));
    expect(lookup.found).toMatchObject({ path: '/usr/sbin/dockerd', executable: true });
    expect(describeLookup(lookup)).toBe('dockerd: found at /usr/sbin/dockerd');
  });

  it('reports a candidate that is not executable, and one that could not be examined', async () => {
    const host = new FakeHost({
      snapshot: rootless,
      stats: {
        '/usr/sbin/iptables': withMode(iptables, 0o644),
        '/sbin/iptables': EACCES,
        '/usr/local/bin/iptables': ENOENT,
      },
    });
    const lookup = await findExecutable(host, 'iptables', systemSearchPath(host.context));
    expect(lookup.found).toMatchObject({ path: '/usr/sbin/iptables', executable: false });
    expect(lookup.unreadable).toEqual(['/sbin/iptables (EACCES)']);
    expect(describeLookup(lookup)).toBe(
      'iptables: /usr/sbin/iptables exists but is not executable (mode -rw-r--r-- 0:0)',
    );
  });
});

describe('sysctl', () => {
  it('reads a sysctl from /proc/sys, trimmed, whitespace folded', async () => {
    const host = new FakeHost({ snapshot: rootless });
    expect(await new Facts(host).get(sysctl('net.ipv4.ping_group_range'))).toEqual({
      ok: true,
      value: { name: 'net.ipv4.ping_group_range', path: '/proc/sys/net/ipv4/ping_group_range', raw: '1 0' },
    });
  });
});
