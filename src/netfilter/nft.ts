/**
 * A parser for `nft -j list ruleset` (libnftables JSON, schema version 1, as nftables 1.0.6 prints it).
 * Pure: it takes the text and returns data. Text that is not such a document throws NftParseError.
 */

export type NftJsonValue = null | boolean | number | string | NftJsonValue[] | { [key: string]: NftJsonValue };
export type NftJsonObject = { [key: string]: NftJsonValue };

export class NftParseError extends Error {
  override readonly name = 'NftParseError';
}

export interface NftMetainfo {
  version: string;
  releaseName: string | null;
  jsonSchemaVersion: number | null;
}

export type NftChainPolicy = 'accept' | 'drop';

/** What makes a chain a base chain: netfilter calls it from a hook. */
export interface NftBaseChainHook {
  type: string;
  hook: string;
  priority: number;
  policy: NftChainPolicy;
}

export type NftVerdict =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject' }
  | { kind: 'return' }
  | { kind: 'continue' }
  | { kind: 'queue' }
  | { kind: 'jump'; target: string }
  | { kind: 'goto'; target: string }
  /** masquerade, snat, dnat and redirect end the chain like an accept does. */
  | { kind: 'nat'; statement: NftNatStatement }
  /**
   * An iptables target that iptables-nft kept as an extension: MASQUERADE, DNAT and REJECT end the chain,
   * LOG and MARK do not.
   */
  | { kind: 'xt-target'; name: string }
  /** The verdict depends on a key looked up in a verdict map (`vmap`). */
  | { kind: 'verdict-map' }
  /** The rule only counts, logs or sets something: evaluation goes on with the next rule. */
  | { kind: 'none' };

export type NftNatStatement = 'masquerade' | 'snat' | 'dnat' | 'redirect';

/** A comparison as nft wrote it; values are rendered as nft prints them: '10.89.0.0/24', '80-90', '@set'. */
export interface NftValueMatch {
  operator: string;
  values: string[];
}

export interface NftInterfacePattern {
  /** As nft prints it: 'podman*', 'docker0' (a literal `*` is printed escaped, `\*`). */
  pattern: string;
  /** A trailing unescaped `*` matches every interface whose name starts with the rest. */
  isWildcard: boolean;
}

export interface NftInterfaceMatch {
  operator: string;
  patterns: NftInterfacePattern[];
}

/** A match on a packet header field, e.g. `ip saddr`, `ip6 daddr`, `th dport`, `tcp sport`. */
export interface NftPayloadMatch extends NftValueMatch {
  /** The header: 'ip', 'ip6', 'th', 'tcp', 'udp', ... */
  protocol: string;
}

export interface NftCounter {
  packets: number;
  bytes: number;
}

export interface NftRuleSummary {
  inInterface: NftInterfaceMatch[];
  outInterface: NftInterfaceMatch[];
  sourceAddress: NftPayloadMatch[];
  destinationAddress: NftPayloadMatch[];
  /** `meta l4proto`, `ip protocol`, `ip6 nexthdr`. */
  transportProtocol: NftValueMatch[];
  destinationPort: NftPayloadMatch[];
  sourcePort: NftPayloadMatch[];
  conntrackState: NftValueMatch[];
  conntrackStatus: NftValueMatch[];
  counter: NftCounter | null;
  /**
   * Matches that iptables-nft kept as iptables extensions (`xt`), e.g. 'conntrack', 'addrtype', 'comment'.
   * nft does not show their options: `-m conntrack --ctstate RELATED,ESTABLISHED` is only 'conntrack' here,
   * and iptables-save's text is where its states are.
   */
  xtMatches: string[];
  /** Expressions that may decide whether the rule matches but that this summary does not capture. */
  unsummarized: NftJsonValue[];
  /** True when the fields above say everything the rule matches on: nothing unsummarized, no xt match but comment. */
  complete: boolean;
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  /** 1-based order in its chain. */
  position: number;
  comment: string | null;
  expressions: NftJsonValue[];
  verdict: NftVerdict;
  summary: NftRuleSummary;
}

export interface NftChain {
  family: string;
  table: string;
  name: string;
  handle: number;
  /** Null for a regular chain, reached only by jump or goto. */
  base: NftBaseChainHook | null;
  rules: NftRule[];
}

export interface NftSet {
  kind: 'set' | 'map';
  family: string;
  table: string;
  name: string;
  handle: number;
  /** The key type; concatenations are joined with ' . ' as nft prints them. */
  type: string;
  /** For a map, the type of the values ('verdict' for a verdict map). */
  dataType: string | null;
  flags: string[];
  elements: NftJsonValue[];
}

export interface NftTable {
  family: string;
  name: string;
  handle: number;
  chains: NftChain[];
  sets: NftSet[];
}

export interface NftOtherObject {
  /** The object's key in the document: 'flowtable', 'counter', 'quota', 'ct helper', ... */
  kind: string;
  value: NftJsonValue;
}

export interface NftRuleset {
  metainfo: NftMetainfo | null;
  tables: NftTable[];
  otherObjects: NftOtherObject[];
}

/** Statements that act on a packet without deciding whether the rule matches or what happens next. */
const SIDE_EFFECT_STATEMENTS = new Set(['counter', 'log', 'mangle', 'notrack', 'set', 'map', 'flow']);
/** iptables-nft keeps `-m comment` as an xt match, which holds text and matches every packet. */
const XT_MATCHES_THAT_MATCH_EVERYTHING = new Set(['comment']);
const PORT_HEADERS = new Set(['th', 'tcp', 'udp', 'udplite', 'sctp', 'dccp']);

export function parseNftJson(text: string): NftRuleset {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new NftParseError(`nft output is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isJsonObject(document) || !Array.isArray(document['nftables'])) {
    throw new NftParseError('nft output is not a libnftables document: it has no top-level "nftables" array');
  }

  const ruleset: NftRuleset = { metainfo: null, tables: [], otherObjects: [] };
  const tablesByKey = new Map<string, NftTable>();
  const chainsByKey = new Map<string, NftChain>();
  const pendingRules: { object: NftJsonObject; where: string }[] = [];

  document['nftables'].forEach((entry, index) => {
    const where = `nftables[${index}]`;
    if (!isJsonObject(entry)) throw new NftParseError(`${where} is not an object`);
    const [kind, ...extraKinds] = Object.keys(entry);
    const body = kind === undefined ? undefined : entry[kind];
    if (kind === undefined || extraKinds.length > 0 || body === undefined) {
      throw new NftParseError(`${where} must have exactly one key (table, chain, rule, ...)`);
    }
    switch (kind) {
      case 'metainfo':
        ruleset.metainfo = readMetainfo(asObject(body, `${where}.metainfo`), `${where}.metainfo`);
        break;
      case 'table': {
        const table = readTable(asObject(body, `${where}.table`), `${where}.table`);
        tablesByKey.set(tableKey(table.family, table.name), table);
        ruleset.tables.push(table);
        break;
      }
      case 'chain': {
        const chain = readChain(asObject(body, `${where}.chain`), `${where}.chain`);
        findTable(tablesByKey, chain.family, chain.table, where).chains.push(chain);
        chainsByKey.set(chainKey(chain.family, chain.table, chain.name), chain);
        break;
      }
      case 'set':
      case 'map': {
        const set = readSet(kind, asObject(body, `${where}.${kind}`), `${where}.${kind}`);
        findTable(tablesByKey, set.family, set.table, where).sets.push(set);
        break;
      }
      case 'rule':
        // nft lists a table's rules after its chains, but nothing in the format promises it.
        pendingRules.push({ object: asObject(body, `${where}.rule`), where: `${where}.rule` });
        break;
      default:
        ruleset.otherObjects.push({ kind, value: body });
    }
  });

  for (const { object, where } of pendingRules) {
    const family = requireString(object, 'family', where);
    const table = requireString(object, 'table', where);
    const chainName = requireString(object, 'chain', where);
    const chain = chainsByKey.get(chainKey(family, table, chainName));
    if (!chain)
      throw new NftParseError(`${where} belongs to chain ${family} ${table} ${chainName}, which is not listed`);
    chain.rules.push(readRule(object, chain, where));
  }
  return ruleset;
}

function isJsonObject(value: unknown): value is NftJsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: NftJsonValue, where: string): NftJsonObject {
  if (!isJsonObject(value)) throw new NftParseError(`${where} is not an object`);
  return value;
}

function requireString(object: NftJsonObject, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw new NftParseError(`${where}.${key} is missing or not a string`);
  return value;
}

function requireNumber(object: NftJsonObject, key: string, where: string): number {
  const value = object[key];
  if (typeof value !== 'number') throw new NftParseError(`${where}.${key} is missing or not a number`);
  return value;
}

function optionalString(object: NftJsonObject, key: string, where: string): string | null {
  return object[key] === undefined ? null : requireString(object, key, where);
}

function tableKey(family: string, table: string): string {
  return `${family} ${table}`;
}

function chainKey(family: string, table: string, chain: string): string {
  return `${family} ${table} ${chain}`;
}

function findTable(tablesByKey: Map<string, NftTable>, family: string, name: string, where: string): NftTable {
  const table = tablesByKey.get(tableKey(family, name));
  if (!table) throw new NftParseError(`${where} belongs to table ${family} ${name}, which is not listed before it`);
  return table;
}

function readMetainfo(object: NftJsonObject, where: string): NftMetainfo {
  const schemaVersion = object['json_schema_version'];
  return {
    version: requireString(object, 'version', where),
    releaseName: optionalString(object, 'release_name', where),
    jsonSchemaVersion: typeof schemaVersion === 'number' ? schemaVersion : null,
  };
}

function readTable(object: NftJsonObject, where: string): NftTable {
  return {
    family: requireString(object, 'family', where),
    name: requireString(object, 'name', where),
    handle: requireNumber(object, 'handle', where),
    chains: [],
    sets: [],
  };
}

function readChain(object: NftJsonObject, where: string): NftChain {
  return {
    family: requireString(object, 'family', where),
    table: requireString(object, 'table', where),
    name: requireString(object, 'name', where),
    handle: requireNumber(object, 'handle', where),
    base: object['hook'] === undefined ? null : readBaseChainHook(object, where),
    rules: [],
  };
}

function readBaseChainHook(object: NftJsonObject, where: string): NftBaseChainHook {
  // A base chain without a policy accepts: that is nft's default.
  const policy = optionalString(object, 'policy', where) ?? 'accept';
  if (policy !== 'accept' && policy !== 'drop') {
    throw new NftParseError(`${where}.policy is "${policy}", expected "accept" or "drop"`);
  }
  return {
    type: requireString(object, 'type', where),
    hook: requireString(object, 'hook', where),
    priority: requireNumber(object, 'prio', where),
    policy,
  };
}

function readSet(kind: 'set' | 'map', object: NftJsonObject, where: string): NftSet {
  const flags = object['flags'];
  const elements = object['elem'];
  return {
    kind,
    family: requireString(object, 'family', where),
    table: requireString(object, 'table', where),
    name: requireString(object, 'name', where),
    handle: requireNumber(object, 'handle', where),
    type: readSetType(object['type'], `${where}.type`),
    dataType: kind === 'map' ? readSetType(object['map'], `${where}.map`) : null,
    flags: Array.isArray(flags) ? flags.filter((flag): flag is string => typeof flag === 'string') : [],
    elements: Array.isArray(elements) ? elements : [],
  };
}

function readSetType(value: NftJsonValue | undefined, where: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((part): part is string => typeof part === 'string')) return value.join(' . ');
  throw new NftParseError(`${where} is missing or not a type name`);
}

function readRule(object: NftJsonObject, chain: NftChain, where: string): NftRule {
  const expressions = object['expr'];
  if (!Array.isArray(expressions)) throw new NftParseError(`${where}.expr is missing or not an array`);
  return {
    family: chain.family,
    table: chain.table,
    chain: chain.name,
    handle: requireNumber(object, 'handle', where),
    position: chain.rules.length + 1,
    comment: optionalString(object, 'comment', where),
    expressions,
    ...summarizeExpressions(expressions),
  };
}

/** Each expression is an object with one key, the statement's name: `{"accept": null}`, `{"match": {...}}`. */
function readStatement(expression: NftJsonValue): { kind: string; body: NftJsonValue } | null {
  if (!isJsonObject(expression)) return null;
  for (const kind in expression) {
    const body = expression[kind];
    return body === undefined ? null : { kind, body };
  }
  return null;
}

function summarizeExpressions(expressions: NftJsonValue[]): { verdict: NftVerdict; summary: NftRuleSummary } {
  const summary: NftRuleSummary = {
    inInterface: [],
    outInterface: [],
    sourceAddress: [],
    destinationAddress: [],
    transportProtocol: [],
    destinationPort: [],
    sourcePort: [],
    conntrackState: [],
    conntrackStatus: [],
    counter: null,
    xtMatches: [],
    unsummarized: [],
    complete: true,
  };
  // nft allows one verdict, at the end of a rule; the last verdict-like statement is it.
  let verdict: NftVerdict = { kind: 'none' };
  for (const expression of expressions) {
    const statement = readStatement(expression);
    const statementVerdict = statement && readVerdict(statement.kind, statement.body);
    if (statementVerdict) {
      verdict = statementVerdict;
    } else if (!statement || !summarizeStatement(statement.kind, statement.body, summary)) {
      summary.unsummarized.push(expression);
    }
  }
  summary.complete =
    summary.unsummarized.length === 0 && summary.xtMatches.every((name) => XT_MATCHES_THAT_MATCH_EVERYTHING.has(name));
  return { verdict, summary };
}

function readVerdict(kind: string, body: NftJsonValue): NftVerdict | null {
  switch (kind) {
    case 'accept':
    case 'drop':
    case 'reject':
    case 'return':
    case 'continue':
    case 'queue':
      return { kind };
    case 'jump':
    case 'goto': {
      const target = isJsonObject(body) ? body['target'] : undefined;
      return typeof target === 'string' ? { kind, target } : null;
    }
    case 'masquerade':
    case 'snat':
    case 'dnat':
    case 'redirect':
      return { kind: 'nat', statement: kind };
    case 'vmap':
      return { kind: 'verdict-map' };
    case 'xt': {
      const name = isJsonObject(body) && body['type'] === 'target' ? body['name'] : undefined;
      return typeof name === 'string' ? { kind: 'xt-target', name } : null;
    }
    default:
      return null;
  }
}

/** Records one non-verdict statement in the summary; false when the summary cannot capture it. */
function summarizeStatement(kind: string, body: NftJsonValue, summary: NftRuleSummary): boolean {
  if (kind === 'match') return isJsonObject(body) && summarizeMatch(body, summary);
  if (kind === 'counter') {
    const packets = isJsonObject(body) ? body['packets'] : undefined;
    const bytes = isJsonObject(body) ? body['bytes'] : undefined;
    if (typeof packets === 'number' && typeof bytes === 'number') summary.counter = { packets, bytes };
    return true;
  }
  if (kind === 'xt' && isJsonObject(body) && body['type'] === 'match' && typeof body['name'] === 'string') {
    summary.xtMatches.push(body['name']);
    return true;
  }
  return SIDE_EFFECT_STATEMENTS.has(kind);
}

function summarizeMatch(match: NftJsonObject, summary: NftRuleSummary): boolean {
  const operator = match['op'];
  const left = match['left'];
  const right = match['right'];
  if (typeof operator !== 'string' || !isJsonObject(left) || right === undefined) return false;
  const values = renderValues(right);
  if (values === null) return false;

  const meta = left['meta'];
  const metaKey = isJsonObject(meta) ? meta['key'] : undefined;
  if (metaKey === 'iifname' || metaKey === 'oifname') {
    const patterns = values.map((pattern) => ({ pattern, isWildcard: /(^|[^\\])(\\\\)*\*$/.test(pattern) }));
    (metaKey === 'iifname' ? summary.inInterface : summary.outInterface).push({ operator, patterns });
    return true;
  }
  if (metaKey === 'l4proto') {
    summary.transportProtocol.push({ operator, values });
    return true;
  }

  const conntrack = left['ct'];
  const conntrackKey = isJsonObject(conntrack) && conntrack['dir'] === undefined ? conntrack['key'] : undefined;
  if (conntrackKey === 'state' || conntrackKey === 'status') {
    (conntrackKey === 'state' ? summary.conntrackState : summary.conntrackStatus).push({ operator, values });
    return true;
  }

  const payload = left['payload'];
  const protocol = isJsonObject(payload) ? payload['protocol'] : undefined;
  const field = isJsonObject(payload) ? payload['field'] : undefined;
  if (typeof protocol !== 'string' || typeof field !== 'string') return false;
  const payloadMatch = { protocol, operator, values };
  if (protocol === 'ip' || protocol === 'ip6') {
    if (field === 'saddr') summary.sourceAddress.push(payloadMatch);
    else if (field === 'daddr') summary.destinationAddress.push(payloadMatch);
    else if ((protocol === 'ip' && field === 'protocol') || (protocol === 'ip6' && field === 'nexthdr')) {
      summary.transportProtocol.push({ operator, values });
    } else return false;
    return true;
  }
  if (PORT_HEADERS.has(protocol) && (field === 'dport' || field === 'sport')) {
    (field === 'dport' ? summary.destinationPort : summary.sourcePort).push(payloadMatch);
    return true;
  }
  return false;
}

/** Renders the right side of a match as nft prints it, or null for shapes the summary does not model. */
function renderValues(value: NftJsonValue): string[] | null {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return renderEach(value);
  if (!isJsonObject(value)) return null;

  const set = value['set'];
  if (Array.isArray(set)) return renderEach(set);
  const prefix = value['prefix'];
  if (isJsonObject(prefix) && typeof prefix['addr'] === 'string' && typeof prefix['len'] === 'number') {
    return [`${prefix['addr']}/${prefix['len']}`];
  }
  const range = value['range'];
  if (Array.isArray(range) && range.length === 2) {
    const [low, high] = range.map((bound) => renderValues(bound));
    if (low?.length === 1 && high?.length === 1) return [`${low[0]}-${high[0]}`];
  }
  return null;
}

function renderEach(values: NftJsonValue[]): string[] | null {
  const rendered: string[] = [];
  for (const value of values) {
    const parts = renderValues(value);
    if (parts === null) return null;
    rendered.push(...parts);
  }
  return rendered;
}
