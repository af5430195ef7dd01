/**
 * Fix commands that let one kind of container traffic through the table that drops it: an accept rule put at
 * the top of the base chain where the packet's evaluation starts, written for the tool that owns the table.
 */
import type { Decider } from './model.js';

/** What the accept rule matches; everything left out matches any packet. */
export interface AcceptSpec {
  iif?: string;
  oif?: string;
  saddr?: string;
  daddr?: string;
  protocol?: 'tcp' | 'udp';
  dport?: number;
  /** Only packets of connections already let through (replies). */
  established?: boolean;
  /** Only connections to a published port, whose destination the host translated. */
  dnat?: boolean;
}

/** The iptables command for the decider's table: plain `iptables` unless both flavours are in use. */
function iptablesCommand(decider: Pick<Decider, 'family' | 'backend'>, bothFlavoursInUse: boolean): string {
  const base = decider.family === 'ip6' ? 'ip6tables' : 'iptables';
  if (!bothFlavoursInUse) return base;
  return decider.backend === 'iptables-legacy' ? `${base}-legacy` : `${base}-nft`;
}

function iptablesMatch(spec: AcceptSpec): string {
  const parts: string[] = [];
  if (spec.iif) parts.push(`-i ${spec.iif}`);
  if (spec.oif) parts.push(`-o ${spec.oif}`);
  if (spec.saddr) parts.push(`-s ${spec.saddr}`);
  if (spec.daddr) parts.push(`-d ${spec.daddr}`);
  if (spec.protocol) parts.push(`-p ${spec.protocol}`);
  if (spec.protocol && spec.dport !== undefined) parts.push(`--dport ${spec.dport}`);
  if (spec.established) parts.push('-m conntrack --ctstate RELATED,ESTABLISHED');
  if (spec.dnat) parts.push('-m conntrack --ctstate DNAT');
  return parts.join(' ');
}

function nftMatch(spec: AcceptSpec, family: string): string {
  const parts: string[] = [];
  // In a bridge table the interfaces are the bridge's ports; the bridge itself is ibrname/obrname.
  const [inKey, outKey] = family === 'bridge' ? ['meta ibrname', 'meta obrname'] : ['iifname', 'oifname'];
  if (spec.iif) parts.push(`${inKey} "${spec.iif}"`);
  if (spec.oif) parts.push(`${outKey} "${spec.oif}"`);
  const ip = spec.saddr?.includes(':') || spec.daddr?.includes(':') ? 'ip6' : 'ip';
  if (spec.saddr) parts.push(`${ip} saddr ${spec.saddr}`);
  if (spec.daddr) parts.push(`${ip} daddr ${spec.daddr}`);
  if (spec.protocol && spec.dport !== undefined) parts.push(`${spec.protocol} dport ${spec.dport}`);
  else if (spec.protocol) parts.push(`meta l4proto ${spec.protocol}`);
  if (spec.established) parts.push('ct state established,related');
  if (spec.dnat) parts.push('ct status dnat');
  return parts.join(' ');
}

/** An accept for `spec` at the top of the base chain where the dropping evaluation started. */
export function acceptCommand(decider: Decider, spec: AcceptSpec, bothFlavoursInUse: boolean): string {
  if (decider.backend === 'nft') {
    return `nft insert rule ${decider.family} ${decider.table} ${decider.baseChain} ${nftMatch(spec, decider.family)} accept`;
  }
  const table = decider.table === 'filter' ? '' : ` -t ${decider.table}`;
  return `${iptablesCommand(decider, bothFlavoursInUse)}${table} -I ${decider.baseChain} 1 ${iptablesMatch(spec)} -j ACCEPT`.replace(
    / {2,}/g,
    ' ',
  );
}

/** An accept for `spec` at `position` (1 = the top) of a named iptables chain (DOCKER-USER). */
export function iptablesInsertCommand(
  decider: Pick<Decider, 'family' | 'backend'>,
  chain: string,
  spec: AcceptSpec,
  bothFlavoursInUse: boolean,
  position = 1,
): string {
  return `${iptablesCommand(decider, bothFlavoursInUse)} -I ${chain} ${position} ${iptablesMatch(spec)} -j ACCEPT`.replace(
    / {2,}/g,
    ' ',
  );
}
