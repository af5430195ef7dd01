/**
 * Addresses, prefixes and port ranges as netfilter rules write them, for matching a packet against a rule.
 * IPv4 and IPv6 are both held as bigints so that one comparison serves both.
 */

export type AddressFamily = 'ipv4' | 'ipv6';

/** An inclusive range of addresses of one family: a single address, a prefix or an nft range. */
export interface AddressRange {
  family: AddressFamily;
  low: bigint;
  high: bigint;
}

/** An inclusive range of ports. */
export interface PortRange {
  low: number;
  high: number;
}

const IPV4_BITS = 32;
const IPV6_BITS = 128;

export function parseAddress(text: string): { family: AddressFamily; value: bigint } | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 'ipv6', value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 'ipv4', value };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined): string[] | undefined => {
    if (part === undefined || part === '') return [];
    const groups = part.split(':');
    const last = groups[groups.length - 1] ?? '';
    if (last.includes('.')) {
      const embedded = parseIpv4(last);
      if (embedded === undefined) return undefined;
      groups.splice(
        groups.length - 1,
        1,
        ((embedded >> 16n) & 0xffffn).toString(16),
        (embedded & 0xffffn).toString(16),
      );
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

function bits(family: AddressFamily): number {
  return family === 'ipv4' ? IPV4_BITS : IPV6_BITS;
}

/**
 * Parses `10.89.0.0/24`, `10.89.0.3`, `10.89.0.3/32`, `fd00::/64` and nft's `10.0.0.1-10.0.0.9`.
 * iptables-save may write a netmask instead of a length (`10.0.0.0/255.255.0.0`).
 */
export function parseAddressRange(text: string): AddressRange | undefined {
  const dash = text.indexOf('-');
  if (dash > 0) {
    const low = parseAddress(text.slice(0, dash));
    const high = parseAddress(text.slice(dash + 1));
    if (low === undefined || high === undefined || low.family !== high.family) return undefined;
    return { family: low.family, low: low.value, high: high.value };
  }
  const [addressText = '', lengthText] = text.split('/');
  const address = parseAddress(addressText);
  if (address === undefined) return undefined;
  const width = bits(address.family);
  let length = width;
  if (lengthText !== undefined) {
    if (/^\d+$/.test(lengthText)) {
      length = Number(lengthText);
    } else {
      const mask = parseAddress(lengthText);
      if (mask === undefined || mask.family !== address.family) return undefined;
      length = mask.value.toString(2).replace(/0+$/, '').length;
    }
    if (length > width) return undefined;
  }
  const hostBits = BigInt(width - length);
  const low = (address.value >> hostBits) << hostBits;
  return { family: address.family, low, high: low + (1n << hostBits) - 1n };
}

export function rangeContains(range: AddressRange, address: string): boolean | undefined {
  const parsed = parseAddress(address);
  if (parsed === undefined) return undefined;
  return parsed.family === range.family && parsed.value >= range.low && parsed.value <= range.high;
}

export function addressFamilyOf(address: string): AddressFamily | undefined {
  return parseAddress(address)?.family;
}

/** The n-th address of a subnet (1 = the first after the network address), as text. */
export function addressInSubnet(subnet: string, offset: number): string | undefined {
  const range = parseAddressRange(subnet);
  if (range === undefined) return undefined;
  const value = range.low + BigInt(offset);
  if (value > range.high) return undefined;
  return formatAddress(range.family, value);
}

export function formatAddress(family: AddressFamily, value: bigint): string {
  if (family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes `::`.
  let best = { start: -1, length: 1 };
  for (let start = 0; start < groups.length; start++) {
    let length = 0;
    while (groups[start + length] === '0') length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** Parses `80`, `1000:2000` (iptables), `80-90` (nft) or `53,5353` (multiport) into ranges. */
export function parsePortRanges(text: string): PortRange[] | undefined {
  const ranges: PortRange[] = [];
  for (const part of text.split(',')) {
    const [lowText = '', highText] = part.split(/[:-]/);
    const low = lowText === '' ? 0 : Number(lowText);
    const high = highText === undefined ? low : highText === '' ? 65535 : Number(highText);
    if (!Number.isInteger(low) || !Number.isInteger(high) || low > high) return undefined;
    ranges.push({ low, high });
  }
  return ranges;
}
