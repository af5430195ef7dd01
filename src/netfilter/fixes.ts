/**
 * Fix commands that let one kind of container traffic through the table that drops it: an accept rule put at
 * the top of the base chain where the packet's evaluation starts, written for the tool that owns the table.
 */
import { shellLine, shellQuote } from '../core/shell.js';
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

function iptablesMatch(spec: AcceptSpec): string[] {
  const args: string[] = [];
  if (spec.iif) args.push('-i', spec.iif);
  if (spec.oif) args.push('-o', spec.oif);
  if (spec.saddr) args.push('-s', spec.saddr);
  if (spec.daddr) args.push('-d', spec.daddr);
  if (spec.protocol) args.push('-p', spec.protocol);
  if (spec.protocol && spec.dport !== undefined) args.push('--dport', String(spec.dport));
  if (spec.established) args.push('-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED');
  if (spec.dnat) args.push('-m', 'conntrack', '--ctstate', 'DNAT');
  return args;
}

/**
 * An interface name in nft's own double quotes, as a shell must pass it: a plain name stays readable
 * (`iifname "podman1"`, whose quotes the shell removes and nft does not need), any other is single-quoted whole.
 */
function nftName(name: string): string {
  return shellQuote(name) === name ? `"${name}"` : shellQuote(`"${name}"`);
}

/** The rule expression as shell words: nft joins its arguments and parses them as one rule. */
function nftMatch(spec: AcceptSpec, family: string): string[] {
  const args: string[] = [];
  // In a bridge table the interfaces are the bridge's ports; the bridge itself is ibrname/obrname.
  const [inKey, outKey] =
    family === 'bridge'
      ? [
          ['meta', 'ibrname'],
          ['meta', 'obrname'],
        ]
      : [['iifname'], ['oifname']];
  if (spec.iif) args.push(...inKey, nftName(spec.iif));
  if (spec.oif) args.push(...outKey, nftName(spec.oif));
  const ip = spec.saddr?.includes(':') || spec.daddr?.includes(':') ? 'ip6' : 'ip';
  if (spec.saddr) args.push(ip, 'saddr', shellQuote(spec.saddr));
  if (spec.daddr) args.push(ip, 'daddr', shellQuote(spec.daddr));
  if (spec.protocol && spec.dport !== undefined) args.push(spec.protocol, 'dport', String(spec.dport));
  else if (spec.protocol) args.push('meta', 'l4proto', spec.protocol);
  if (spec.established) args.push('ct', 'state', 'established,related');
  if (spec.dnat) args.push('ct', 'status', 'dnat');
  return args;
}

/** An accept for `spec` at the top of the base chain where the dropping evaluation started. */
export function acceptCommand(decider: Decider, spec: AcceptSpec, bothFlavoursInUse: boolean): string {
  if (decider.backend === 'nft') {
    const chain = shellLine(['nft', 'insert', 'rule', decider.family, decider.table, decider.baseChain]);
    return `${chain} ${nftMatch(spec, decider.family).join(' ')} accept`;
  }
  const table = decider.table === 'filter' ? [] : ['-t', decider.table];
  return shellLine([
    iptablesCommand(decider, bothFlavoursInUse),
    ...table,
    '-I',
    decider.baseChain,
    '1',
    ...iptablesMatch(spec),
    '-j',
    'ACCEPT',
  ]);
}

/** An accept for `spec` at `position` (1 = the top) of a named iptables chain (DOCKER-USER). */
export function iptablesInsertCommand(
  decider: Pick<Decider, 'family' | 'backend'>,
  chain: string,
  spec: AcceptSpec,
  bothFlavoursInUse: boolean,
  position = 1,
): string {
  return shellLine([
    iptablesCommand(decider, bothFlavoursInUse),
    '-I',
    chain,
    String(position),
    ...iptablesMatch(spec),
    '-j',
    'ACCEPT',
  ]);
}
