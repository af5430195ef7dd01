/**
 * Translates the expressions of an `nft -j` rule into the model's conditions and action, and renders the rule
 * as `nft list ruleset` would print it (close enough to find it there), for evidence.
 */
import {
  parseAddressRange,
  parsePortRanges,
  type AddressFamily,
  type AddressRange,
  type PortRange,
} from './address.js';
import type { NftJsonObject, NftJsonValue, NftRule, NftSet } from './nft.js';
import type { Action, Condition, Direction, InterfacePattern } from './rule.js';
import { appendAll } from '../core/lists.js';

export interface TranslatedNftRule {
  conditions: Condition[];
  action: Action;
  text: string;
  /** iptables extensions (`xt`) whose options nft does not show: the rule cannot be decided from nft alone. */
  hasOpaqueMatches: boolean;
}

/** Statements that act on a packet without deciding whether the rule matches or what happens next. */
const SIDE_EFFECTS = new Set([
  'counter',
  'log',
  'mangle',
  'notrack',
  'set',
  'map',
  'flow',
  'ct helper',
  'meter',
  'quota',
]);
const PORT_HEADERS = new Set(['th', 'tcp', 'udp', 'udplite', 'sctp', 'dccp']);

function isObject(value: NftJsonValue | undefined): value is NftJsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statementOf(expression: NftJsonValue): { kind: string; body: NftJsonValue } | undefined {
  if (!isObject(expression)) return undefined;
  const [kind] = Object.keys(expression);
  const body = kind === undefined ? undefined : expression[kind];
  return kind === undefined || body === undefined ? undefined : { kind, body };
}

export function translateNftRule(rule: NftRule, sets: readonly NftSet[]): TranslatedNftRule {
  const conditions: Condition[] = [];
  let action: Action = { kind: 'continue' };
  let hasOpaqueMatches = false;
  for (const expression of rule.expressions) {
    const statement = statementOf(expression);
    if (statement === undefined) {
      conditions.push({ kind: 'unknown', what: JSON.stringify(expression) });
      continue;
    }
    const { kind, body } = statement;
    if (kind === 'match' && isObject(body)) {
      appendAll(conditions, matchConditions(body, sets));
    } else if (kind === 'xt' && isObject(body) && body['type'] === 'match') {
      if (body['name'] !== 'comment') {
        hasOpaqueMatches = true;
        conditions.push({
          kind: 'unknown',
          what: `xt match "${String(body['name'])}" (iptables-nft extension; nft does not show its options)`,
        });
      }
    } else if (kind === 'limit') {
      conditions.push({ kind: 'unknown', what: renderExpression(expression) });
    } else if (SIDE_EFFECTS.has(kind)) {
      continue;
    } else {
      const verdict = actionOf(kind, body, sets);
      if (verdict === undefined) conditions.push({ kind: 'unknown', what: renderExpression(expression) });
      else action = verdict;
    }
  }
  return { conditions, action, text: rule.expressions.map(renderExpression).join(' '), hasOpaqueMatches };
}

function actionOf(kind: string, body: NftJsonValue, sets: readonly NftSet[]): Action | undefined {
  switch (kind) {
    case 'accept':
    case 'drop':
    case 'reject':
    case 'return':
    case 'continue':
      return { kind };
    case 'queue':
      return { kind: 'unknown', what: 'queue to user space' };
    case 'jump':
    case 'goto': {
      const target = isObject(body) ? body['target'] : undefined;
      return typeof target === 'string' ? { kind, chain: target } : undefined;
    }
    case 'masquerade':
    case 'snat':
    case 'dnat':
    case 'redirect': {
      const address = isObject(body) ? body['addr'] : undefined;
      const port = isObject(body) ? body['port'] : undefined;
      const to = [typeof address === 'string' ? address : '', typeof port === 'number' ? String(port) : '']
        .filter((part) => part !== '')
        .join(':');
      return to === '' ? { kind: 'nat', nat: kind } : { kind: 'nat', nat: kind, to };
    }
    case 'xt': {
      const name = isObject(body) ? body['name'] : undefined;
      return typeof name === 'string' ? xtTargetAction(name) : undefined;
    }
    case 'vmap':
      return verdictMap(body, sets);
    default:
      return undefined;
  }
}

/** iptables targets that iptables-nft kept as extensions. */
function xtTargetAction(name: string): Action {
  switch (name) {
    case 'MASQUERADE':
      return { kind: 'nat', nat: 'masquerade' };
    case 'SNAT':
      return { kind: 'nat', nat: 'snat' };
    case 'DNAT':
    case 'NETMAP':
      return { kind: 'nat', nat: 'dnat' };
    case 'REDIRECT':
      return { kind: 'nat', nat: 'redirect' };
    case 'REJECT':
      return { kind: 'reject' };
    case 'NFQUEUE':
    case 'QUEUE':
      return { kind: 'unknown', what: `target ${name}` };
    default:
      return { kind: 'continue' };
  }
}

function verdictMap(body: NftJsonValue, sets: readonly NftSet[]): Action {
  const key = isObject(body) ? body['key'] : undefined;
  const data = isObject(body) ? body['data'] : undefined;
  const unknown: Action = { kind: 'unknown', what: `verdict map ${renderValue(data ?? null)}` };
  if (!isObject(key) || data === undefined) return unknown;
  const elements =
    typeof data === 'string' && data.startsWith('@')
      ? sets.find((set) => set.name === data.slice(1))?.elements
      : isObject(data)
        ? data['set']
        : undefined;
  if (!Array.isArray(elements)) return unknown;
  const entries: { condition: Condition; action: Action }[] = [];
  for (const element of elements) {
    if (!Array.isArray(element) || element.length !== 2) return unknown;
    const [value, verdict] = element as [NftJsonValue, NftJsonValue];
    const statement = statementOf(verdict);
    const action = statement && actionOf(statement.kind, statement.body, sets);
    const [condition] = matchConditions({ op: '==', left: key, right: value }, sets).filter(
      (item) => item.kind !== 'family' && item.kind !== 'protocol',
    );
    if (action === undefined || condition === undefined) return unknown;
    entries.push({ condition, action });
  }
  return { kind: 'map', entries };
}

/**
 * A match expression, `{"op": "==", "left": ..., "right": ...}`, as conditions (a port match also fixes the protocol).
 */
function matchConditions(match: NftJsonObject, sets: readonly NftSet[]): Condition[] {
  const operator = match['op'];
  const left = match['left'];
  const right = match['right'];
  const unknown: Condition[] = [{ kind: 'unknown', what: renderExpression({ match }) }];
  if (typeof operator !== 'string' || !isObject(left) || right === undefined) return unknown;
  const negated = operator === '!=';
  const values = expandValues(right, sets);

  const comparison = ['==', '!=', 'in'].includes(operator);
  const meta = left['meta'];
  const metaKey = isObject(meta) ? meta['key'] : undefined;
  if (typeof metaKey === 'string') {
    if (!comparison || values === undefined) return unknown;
    const strings = values.map(String);
    switch (metaKey) {
      case 'iifname':
      case 'oifname':
      case 'iif':
      case 'oif':
        return [
          {
            kind: 'interface',
            direction: metaKey.startsWith('i') ? 'in' : 'out',
            patterns: strings.map(interfacePattern),
            negated,
          },
        ];
      case 'ibrname':
      case 'obrname':
        return [
          {
            kind: 'bridge',
            direction: metaKey === 'ibrname' ? 'in' : 'out',
            patterns: strings.map(interfacePattern),
            negated,
          },
        ];
      case 'l4proto':
        return [{ kind: 'protocol', protocols: strings, negated }];
      case 'nfproto':
      case 'protocol': {
        const families = strings.map(familyOf);
        if (negated || families.length !== 1 || families[0] === undefined) return unknown;
        return [{ kind: 'family', family: families[0] }];
      }
      default:
        return unknown;
    }
  }

  const conntrack = left['ct'];
  if (isObject(conntrack)) {
    const key = conntrack['key'];
    if (!comparison || values === undefined || conntrack['dir'] !== undefined) return unknown;
    if (key === 'state') return [{ kind: 'ct-state', states: values.map(String), negated }];
    if (key === 'status') return [{ kind: 'ct-status', statuses: values.map(String), negated }];
    return unknown;
  }

  const fib = left['fib'];
  if (isObject(fib)) {
    const flags = fib['flags'];
    const flagList = Array.isArray(flags) ? flags : [flags];
    const direction: Direction | undefined =
      flagList.length === 1 && flagList[0] === 'daddr'
        ? 'destination'
        : flagList.length === 1 && flagList[0] === 'saddr'
          ? 'source'
          : undefined;
    if (fib['result'] !== 'type' || direction === undefined || !comparison || values === undefined) return unknown;
    return [{ kind: 'address-type', direction, types: values.map(String), negated }];
  }

  const payload = left['payload'];
  const protocol = isObject(payload) ? payload['protocol'] : undefined;
  const field = isObject(payload) ? payload['field'] : undefined;
  if (typeof protocol !== 'string' || typeof field !== 'string' || values === undefined) return unknown;
  if (protocol === 'ip' || protocol === 'ip6') {
    const family: AddressFamily = protocol === 'ip' ? 'ipv4' : 'ipv6';
    if ((field === 'protocol' && protocol === 'ip') || (field === 'nexthdr' && protocol === 'ip6')) {
      if (!comparison) return unknown;
      return [
        { kind: 'family', family },
        { kind: 'protocol', protocols: values.map(String), negated },
      ];
    }
    if (field !== 'saddr' && field !== 'daddr') return unknown;
    const ranges: AddressRange[] = [];
    for (const value of values) {
      const range = parseAddressRange(String(value));
      if (range === undefined || !comparison) return unknown;
      ranges.push(range);
    }
    return [
      { kind: 'family', family },
      { kind: 'address', direction: field === 'saddr' ? 'source' : 'destination', ranges, negated },
    ];
  }
  if (PORT_HEADERS.has(protocol) && (field === 'dport' || field === 'sport')) {
    const ranges = portRanges(operator, values);
    if (ranges === undefined) return unknown;
    const port: Condition = { kind: 'port', direction: field === 'dport' ? 'destination' : 'source', ranges, negated };
    // `tcp dport 80` only matches tcp packets, whatever the operator; `th dport` any transport with ports.
    return protocol === 'th' ? [port] : [{ kind: 'protocol', protocols: [protocol], negated: false }, port];
  }
  return unknown;
}

function portRanges(operator: string, values: (string | number)[]): PortRange[] | undefined {
  if (['==', '!=', 'in'].includes(operator)) {
    const ranges: PortRange[] = [];
    for (const value of values) {
      const parsed = parsePortRanges(String(value));
      if (parsed === undefined) return undefined;
      appendAll(ranges, parsed);
    }
    return ranges;
  }
  const [value] = values;
  const port = Number(value);
  if (values.length !== 1 || !Number.isInteger(port)) return undefined;
  switch (operator) {
    case '<':
      return [{ low: 0, high: port - 1 }];
    case '<=':
      return [{ low: 0, high: port }];
    case '>':
      return [{ low: port + 1, high: 65535 }];
    case '>=':
      return [{ low: port, high: 65535 }];
    default:
      return undefined;
  }
}

function familyOf(value: string): AddressFamily | undefined {
  if (value === 'ipv4' || value === 'ip') return 'ipv4';
  if (value === 'ipv6' || value === 'ip6') return 'ipv6';
  return undefined;
}

/** nft writes a wildcard as a trailing `*`, and a literal star escaped (`\*`). */
function interfacePattern(text: string): InterfacePattern {
  const wildcard = /(^|[^\\])(\\\\)*\*$/.test(text);
  const body = wildcard ? text.slice(0, -1) : text;
  return { name: body.replace(/\\(.)/g, '$1'), wildcard };
}

/** The values a right-hand side stands for, with named sets (`@name`) looked up; undefined when it cannot tell. */
function expandValues(value: NftJsonValue, sets: readonly NftSet[]): (string | number)[] | undefined {
  if (typeof value === 'string' && value.startsWith('@')) {
    const set = sets.find((candidate) => candidate.name === value.slice(1));
    return set === undefined ? undefined : expandList(set.elements, sets);
  }
  if (typeof value === 'string' || typeof value === 'number') return [value];
  if (Array.isArray(value)) return expandList(value, sets);
  if (!isObject(value)) return undefined;
  const set = value['set'];
  if (Array.isArray(set)) return expandList(set, sets);
  if (set !== undefined) return expandValues(set, sets);
  const prefix = value['prefix'];
  if (isObject(prefix) && typeof prefix['addr'] === 'string' && typeof prefix['len'] === 'number')
    return [`${prefix['addr']}/${prefix['len']}`];
  const range = value['range'];
  if (Array.isArray(range) && range.length === 2) {
    const [low, high] = range;
    if ((typeof low === 'string' || typeof low === 'number') && (typeof high === 'string' || typeof high === 'number'))
      return [`${low}-${high}`];
  }
  // A set element with options: {"elem": {"val": ..., "timeout": ...}}.
  const element = value['elem'];
  if (isObject(element) && element['val'] !== undefined) return expandValues(element['val'], sets);
  return undefined;
}

function expandList(values: NftJsonValue[], sets: readonly NftSet[]): (string | number)[] | undefined {
  const result: (string | number)[] = [];
  for (const value of values) {
    const expanded = expandValues(value, sets);
    if (expanded === undefined) return undefined;
    appendAll(result, expanded);
  }
  return result;
}

const QUOTED_META = new Set(['iifname', 'oifname', 'ibrname', 'obrname']);
/** Meta keys nft prints without the `meta` keyword. */
const BARE_META = new Set(['iifname', 'oifname', 'iif', 'oif']);

/** One expression as nft's text syntax writes it; shapes it does not know are shown as JSON. */
export function renderExpression(expression: NftJsonValue): string {
  const statement = statementOf(expression);
  if (statement === undefined) return JSON.stringify(expression);
  const { kind, body } = statement;
  switch (kind) {
    case 'match': {
      if (!isObject(body)) break;
      const left = body['left'] ?? null;
      const operator = body['op'];
      const quote = isObject(left) && isObject(left['meta']) && QUOTED_META.has(String(left['meta']['key']));
      const op = operator === '==' || operator === 'in' ? '' : `${String(operator)} `;
      return `${renderValue(left)} ${op}${renderValue(body['right'] ?? null, quote)}`;
    }
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
    case 'masquerade':
      return body === null ? kind : `${kind} ${renderValue(body)}`;
    case 'reject':
      return 'reject';
    case 'jump':
    case 'goto':
      return `${kind} ${isObject(body) ? String(body['target']) : ''}`;
    case 'counter':
      return isObject(body) ? `counter packets ${String(body['packets'])} bytes ${String(body['bytes'])}` : 'counter';
    case 'snat':
    case 'dnat': {
      if (!isObject(body)) break;
      const port = body['port'] === undefined ? '' : `:${String(body['port'])}`;
      return `${kind} to ${String(body['addr'] ?? '')}${port}`;
    }
    case 'xt':
      return isObject(body) ? `xt ${String(body['type'])} "${String(body['name'])}"` : 'xt';
    case 'vmap':
      return isObject(body) ? `${renderValue(body['key'] ?? null)} vmap ${renderValue(body['data'] ?? null)}` : 'vmap';
    case 'log':
      return isObject(body) && body['prefix'] !== undefined ? `log prefix "${String(body['prefix'])}"` : 'log';
    case 'limit':
      return isObject(body) ? `limit rate ${String(body['rate'])}/${String(body['per'])}` : 'limit';
  }
  return JSON.stringify(expression);
}

function renderValue(value: NftJsonValue, quote = false): string {
  if (typeof value === 'string') return quote ? `"${value}"` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) {
    // A verdict map element, [key, verdict].
    if (value.length === 2 && statementOf(value[1] ?? null) !== undefined && !isObject(value[0] ?? null)) {
      return `${renderValue(value[0] ?? null, quote)} : ${renderExpression(value[1] ?? null)}`;
    }
    return `{ ${value.map((item) => renderValue(item, quote)).join(', ')} }`;
  }
  const meta = value['meta'];
  if (isObject(meta)) return BARE_META.has(String(meta['key'])) ? String(meta['key']) : `meta ${String(meta['key'])}`;
  const payload = value['payload'];
  if (isObject(payload)) return `${String(payload['protocol'])} ${String(payload['field'])}`;
  const conntrack = value['ct'];
  if (isObject(conntrack))
    return `ct ${conntrack['dir'] === undefined ? '' : `${String(conntrack['dir'])} `}${String(conntrack['key'])}`;
  const fib = value['fib'];
  if (isObject(fib)) return `fib ${[fib['flags']].flat().map(String).join(' . ')} ${String(fib['result'])}`;
  const set = value['set'];
  if (set !== undefined)
    return Array.isArray(set)
      ? `{ ${set.map((item) => renderValue(item, quote)).join(', ')} }`
      : renderValue(set, quote);
  const prefix = value['prefix'];
  if (isObject(prefix)) return `${String(prefix['addr'])}/${String(prefix['len'])}`;
  const range = value['range'];
  if (Array.isArray(range)) return range.map((item) => renderValue(item, quote)).join('-');
  return JSON.stringify(value);
}
