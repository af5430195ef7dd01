import { describe, expect, it } from 'vitest';
import { addressInSubnet, parseAddressRange, parsePortRanges, rangeContains } from '../../src/netfilter/address.js';

describe('parseAddressRange', () => {
  it('reads prefixes, single addresses and the /32 iptables-save writes', () => {
    const subnet = parseAddressRange('10.89.0.0/24')!;
    expect(rangeContains(subnet, '10.89.0.255')).toBe(true);
    expect(rangeContains(subnet, '10.89.1.0')).toBe(false);
    expect(rangeContains(parseAddressRange('172.19.0.2/32')!, '172.19.0.2')).toBe(true);
    expect(rangeContains(parseAddressRange('172.19.0.2')!, '172.19.0.3')).toBe(false);
  });

  it('reads a netmask written instead of a length, and nft ranges', () => {
    expect(rangeContains(parseAddressRange('10.0.0.0/255.255.0.0')!, '10.0.200.1')).toBe(true);
    expect(rangeContains(parseAddressRange('10.0.0.1-10.0.0.9')!, '10.0.0.9')).toBe(true);
    expect(rangeContains(parseAddressRange('10.0.0.1-10.0.0.9')!, '10.0.0.10')).toBe(false);
  });

  it('reads IPv6 and never matches an address of the other family', () => {
    const ula = parseAddressRange('fd00:89::/64')!;
    expect(rangeContains(ula, 'fd00:89::5')).toBe(true);
    expect(rangeContains(ula, 'fd00:88::5')).toBe(false);
    expect(rangeContains(ula, '10.89.0.5')).toBe(false);
    expect(rangeContains(parseAddressRange('::ffff:10.0.0.1')!, '::ffff:10.0.0.1')).toBe(true);
  });

  it('rejects what is not an address', () => {
    expect(parseAddressRange('@s4')).toBeUndefined();
    expect(parseAddressRange('10.89.0.0/33')).toBeUndefined();
    expect(parseAddressRange('300.1.1.1')).toBeUndefined();
  });
});

describe('addressInSubnet', () => {
  it('counts from the network address', () => {
    expect(addressInSubnet('10.89.0.0/24', 2)).toBe('10.89.0.2');
    expect(addressInSubnet('fd00:89::/64', 2)).toBe('fd00:89::2');
    expect(addressInSubnet('10.89.0.0/30', 4)).toBeUndefined();
  });
});

describe('parsePortRanges', () => {
  it('reads iptables ranges, nft ranges and multiport lists', () => {
    expect(parsePortRanges('1000:2000')).toEqual([{ low: 1000, high: 2000 }]);
    expect(parsePortRanges('80-90')).toEqual([{ low: 80, high: 90 }]);
    expect(parsePortRanges('53,5353')).toEqual([
      { low: 53, high: 53 },
      { low: 5353, high: 5353 },
    ]);
    expect(parsePortRanges('1024:')).toEqual([{ low: 1024, high: 65535 }]);
    expect(parsePortRanges('http')).toBeUndefined();
  });
});
