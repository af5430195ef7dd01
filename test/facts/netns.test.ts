import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import {
  HOST_ADDRESSES,
  handmadeNetworks,
  isPrivateIpv4,
  parseInterfaces,
  parseNamespaceList,
  routedOut,
} from '../../src/facts/netns.js';
import { FakeHost } from '../helpers/fake-host.js';
import { labState, snapshotOf } from '../helpers/recordings.js';
import { recordedCommand } from '../helpers/recorded.js';

// The tutorial's network as the lab built it (test/lab/lib/handmade.ts), recorded with the host end of blue's
// veth down (netns-veth-down.broken); ndext is the lab's fake outside host, a namespace on a veth of its own.

describe('hand-made networks on a recorded host', () => {
  const snapshot = snapshotOf(labState('netns-veth-down.broken'));

  it('parses the named namespaces and their ids', () => {
    const listed = parseNamespaceList(recordedCommand(snapshot, ['ip', '-j', 'netns', 'list']).stdout);
    const names = listed.map((item) => item.name);
    expect(names).toEqual(expect.arrayContaining(['ndl-hv-red', 'ndl-hv-blue', 'ndext']));
    expect(listed.every((item) => item.id !== undefined)).toBe(true);
    // Rootful podman names the namespaces of its containers netns-<uuid>: those are containers'.
    for (const item of listed.filter((entry) => entry.name.startsWith('netns-')))
      expect(item.container).toMatch(/podman/);
  });

  it("parses a veth's state, peer and bridge", () => {
    const host = parseInterfaces(recordedCommand(snapshot, HOST_ADDRESSES).stdout, 'ip -j -d addr');
    const end = host.find((item) => item.name === 'ndl-hv-vb')!;
    expect(end).toMatchObject({ kind: 'veth', master: 'ndl-hv-br', adminUp: false });
    expect(end.peer?.netnsId).toBeTypeOf('number');
    const bridge = host.find((item) => item.name === 'ndl-hv-br')!;
    expect(bridge.kind).toBe('bridge');
    expect(bridge.addresses).toContainEqual({ family: 4, address: '10.231.1.1', prefix: 24, scope: 'global' });
  });

  it('puts each namespace on its segment, across namespaces by peer index and namespace id', async () => {
    const host = new FakeHost({ snapshot });
    const read = await new Facts(host).get(handmadeNetworks);
    if (!read.ok) throw new Error(read.reason);
    const bridge = read.value.segments.find((segment) => segment.host.name === 'ndl-hv-br')!;
    expect(bridge.kind).toBe('bridge');
    expect(bridge.members.map((member) => [member.namespace, member.inside.name, member.hostEnd.name])).toEqual([
      ['ndl-hv-red', 'ndl-hv-vr-c', 'ndl-hv-vr'],
      ['ndl-hv-blue', 'ndl-hv-vb-c', 'ndl-hv-vb'],
    ]);
    expect(routedOut(bridge).map(({ member, via }) => [member.namespace, via])).toEqual([
      ['ndl-hv-red', '10.231.1.1'],
      ['ndl-hv-blue', '10.231.1.1'],
    ]);
    const outside = read.value.segments.find((segment) => segment.members.some((m) => m.namespace === 'ndext'))!;
    expect(outside).toMatchObject({ kind: 'veth' });
    expect(outside.host.name).toBe('ndup');
    expect(read.value.engineBridges).toContain('docker0');
    expect(read.value.segments.some((segment) => read.value.engineBridges.includes(segment.host.name))).toBe(false);
  });
});

describe('addresses that need NAT beyond the host', () => {
  it.each([
    ['10.231.1.2', true],
    ['172.17.0.2', true],
    ['192.168.122.10', true],
    ['100.64.1.1', true],
    ['198.51.100.2', false],
    ['192.0.2.2', false],
  ])('%s: %s', (address, expected) => {
    expect(isPrivateIpv4(address)).toBe(expected);
  });
});
