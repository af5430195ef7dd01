/** Translates parsed iptables-save rules into the model's conditions and actions. */
import { parseAddressRange, parsePortRanges, type AddressRange } from './address.js';
import type {
  IptablesInterfaceMatch,
  IptablesMatchModule,
  IptablesNegatableValue,
  IptablesOption,
  IptablesRule,
} from './iptables-save.js';
import type { Action, Condition, Direction } from './rule.js';

const PORT_MODULES = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp']);
const PORT_OPTIONS: Record<string, Direction> = {
  '--dport': 'destination',
  '--destination-port': 'destination',
  '--sport': 'source',
  '--source-port': 'source',
};
const MULTIPORT_OPTIONS: Record<string, Direction> = {
  '--dports': 'destination',
  '--destination-ports': 'destination',
  '--sports': 'source',
  '--source-ports': 'source',
};

/** Targets that act on the packet and let evaluation go on with the next rule. */
const NON_TERMINATING_TARGETS = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'MARK',
  'CONNMARK',
  'CT',
  'NOTRACK',
  'TRACE',
  'CLASSIFY',
  'TCPMSS',
  'DSCP',
  'TOS',
  'TTL',
  'HL',
  'CHECKSUM',
  'AUDIT',
  'SECMARK',
  'CONNSECMARK',
  'SET',
  'IDLETIMER',
  'LED',
  'RATEEST',
  'TEE',
  'TCPOPTSTRIP',
]);

const NAT_TARGETS: Record<string, 'masquerade' | 'snat' | 'dnat' | 'redirect'> = {
  MASQUERADE: 'masquerade',
  SNAT: 'snat',
  DNAT: 'dnat',
  REDIRECT: 'redirect',
  NETMAP: 'dnat',
};

export function iptablesConditions(rule: IptablesRule): Condition[] {
  const { match } = rule;
  const conditions: Condition[] = [];
  if (match.protocol)
    conditions.push({ kind: 'protocol', protocols: [match.protocol.value], negated: match.protocol.negated });
  if (match.source) conditions.push(addressCondition('source', match.source));
  if (match.destination) conditions.push(addressCondition('destination', match.destination));
  if (match.inInterface) conditions.push(interfaceCondition('in', match.inInterface));
  if (match.outInterface) conditions.push(interfaceCondition('out', match.outInterface));
  for (const module of match.modules) conditions.push(...moduleConditions(module));
  for (const option of match.otherOptions) conditions.push({ kind: 'unknown', what: optionText(option) });
  return conditions;
}

/** What the rule's target does; `chains` holds the names of the table's chains, which `-j NAME` may jump to. */
export function iptablesAction(rule: IptablesRule, chains: ReadonlySet<string>): Action {
  const { target } = rule;
  if (target === null) return { kind: 'continue' };
  if (chains.has(target.name)) return { kind: target.kind, chain: target.name };
  switch (target.name) {
    case 'ACCEPT':
      return { kind: 'accept' };
    case 'DROP':
      return { kind: 'drop' };
    case 'REJECT':
      return { kind: 'reject' };
    case 'RETURN':
      return { kind: 'return' };
  }
  const nat = NAT_TARGETS[target.name];
  if (nat !== undefined) {
    const to = target.options.find(
      (option) => option.name === '--to-destination' || option.name === '--to-source' || option.name === '--to-ports',
    );
    return to?.values[0] === undefined ? { kind: 'nat', nat } : { kind: 'nat', nat, to: to.values[0] };
  }
  if (NON_TERMINATING_TARGETS.has(target.name)) return { kind: 'continue' };
  return { kind: 'unknown', what: `target ${target.name}` };
}

function addressCondition(direction: Direction, value: IptablesNegatableValue): Condition {
  const ranges: AddressRange[] = [];
  for (const part of value.value.split(',')) {
    const range = parseAddressRange(part);
    if (range === undefined) return { kind: 'unknown', what: `${direction === 'source' ? '-s' : '-d'} ${value.value}` };
    ranges.push(range);
  }
  return { kind: 'address', direction, ranges, negated: value.negated };
}

function interfaceCondition(direction: 'in' | 'out', value: IptablesInterfaceMatch): Condition {
  const name = value.isWildcard ? value.pattern.slice(0, -1) : value.pattern;
  return { kind: 'interface', direction, patterns: [{ name, wildcard: value.isWildcard }], negated: value.negated };
}

function moduleConditions(module: IptablesMatchModule): Condition[] {
  const unknown = (option?: IptablesOption): Condition => ({
    kind: 'unknown',
    what: option === undefined ? `-m ${module.name}` : `-m ${module.name} ${optionText(option)}`,
  });
  if (module.name === 'comment') return [];
  const conditions: Condition[] = [];
  for (const option of module.options) {
    const value = option.values.join(' ');
    const condition = moduleOptionCondition(module.name, option, value);
    conditions.push(condition ?? unknown(option));
  }
  // A module written without options (`-m physdev` alone) matches every packet it is loaded for.
  return conditions;
}

function moduleOptionCondition(module: string, option: IptablesOption, value: string): Condition | undefined {
  const negated = option.negated;
  if (PORT_MODULES.has(module) && PORT_OPTIONS[option.name] !== undefined) {
    const ranges = parsePortRanges(value);
    return ranges && { kind: 'port', direction: PORT_OPTIONS[option.name]!, ranges, negated };
  }
  if (module === 'multiport' && MULTIPORT_OPTIONS[option.name] !== undefined) {
    const ranges = parsePortRanges(value);
    return ranges && { kind: 'port', direction: MULTIPORT_OPTIONS[option.name]!, ranges, negated };
  }
  if ((module === 'conntrack' && option.name === '--ctstate') || (module === 'state' && option.name === '--state')) {
    return { kind: 'ct-state', states: value.split(','), negated };
  }
  if (module === 'conntrack' && option.name === '--ctstatus') {
    return { kind: 'ct-status', statuses: value.split(','), negated };
  }
  if (module === 'addrtype' && (option.name === '--dst-type' || option.name === '--src-type')) {
    return {
      kind: 'address-type',
      direction: option.name === '--dst-type' ? 'destination' : 'source',
      types: value.split(','),
      negated,
    };
  }
  if (module === 'physdev' && option.name === '--physdev-is-bridged') return { kind: 'bridged', negated };
  if (module === 'iprange' && (option.name === '--src-range' || option.name === '--dst-range')) {
    const range = parseAddressRange(value);
    return (
      range && {
        kind: 'address',
        direction: option.name === '--src-range' ? 'source' : 'destination',
        ranges: [range],
        negated,
      }
    );
  }
  return undefined;
}

function optionText(option: IptablesOption): string {
  return [option.negated ? '!' : '', option.name, ...option.values].filter((part) => part !== '').join(' ');
}
