import { describe, expect, it } from 'vitest';
import { isLoopbackNameserver, parseResolvConf, upstreamSource } from '../../src/facts/resolv.js';
import { recordedFile } from '../helpers/recorded.js';
import { hostSnapshot, labState, snapshotOf } from '../helpers/recordings.js';

// The live host as root while another session's lab ran (test/fixtures/snapshots/README.md).
const live = snapshotOf(hostSnapshot('live-root-icc-off'));

describe('parseResolvConf', () => {
  it("reads the host's resolv.conf and tells loopback nameservers apart", () => {
    const resolv = parseResolvConf('/etc/resolv.conf', recordedFile(live, '/etc/resolv.conf').content);
    expect(resolv.nameservers).toEqual(['10.255.255.53']);
    expect(resolv.nameservers.map(isLoopbackNameserver)).toEqual([false]);
    expect(['127.0.0.53', '127.0.1.1', '::1', 'fe80::1%eth0'].map(isLoopbackNameserver)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    const stubbed = parseResolvConf(
      '/etc/resolv.conf',
      recordedFile(snapshotOf(labState('resolver-loopback-only.broken')), '/etc/resolv.conf').content,
    );
    expect(stubbed).toEqual({ path: '/etc/resolv.conf', nameservers: ['127.0.1.1'], excerpt: 'nameserver 127.0.1.1' });
    expect(upstreamSource(stubbed, 'podman')).toBeUndefined();
    const stub = { path: '/etc/resolv.conf', nameservers: ['127.0.0.53'], excerpt: '' };
    expect(upstreamSource(stub, 'docker')).toBe('/run/systemd/resolve/resolv.conf');
    expect(upstreamSource({ ...stub, nameservers: ['127.0.0.1'] }, 'podman')).toBe(
      '/run/NetworkManager/no-stub-resolv.conf',
    );
    expect(upstreamSource({ ...stub, nameservers: ['127.0.0.1'] }, 'docker')).toBeUndefined();
  });
});
