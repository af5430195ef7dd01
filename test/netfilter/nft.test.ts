import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  NftParseError,
  parseNftJson,
  type NftChain,
  type NftJsonValue,
  type NftRule,
  type NftRuleset,
} from '../../src/netfilter/nft.js';

// Every fixture was recorded on the lab host; test/fixtures/rulesets/README.md says how and in which state.
function recorded(name: string): string {
  return readFileSync(new URL(`../fixtures/rulesets/${name}`, import.meta.url), 'utf8');
}

function chain(ruleset: NftRuleset, family: string, table: string, name: string): NftChain {
  const found = ruleset.tables
    .find((candidate) => candidate.family === family && candidate.name === table)
    ?.chains.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no chain ${family} ${table} ${name}`);
  return found;
}

function rule(found: NftChain, position: number): NftRule {
  const result = found.rules[position - 1];
  if (!result) throw new Error(`no rule ${position} in ${found.name}`);
  return result;
}

function baseChainsOnHook(ruleset: NftRuleset, hook: string): NftChain[] {
  return ruleset.tables.flatMap((table) => table.chains).filter((candidate) => candidate.base?.hook === hook);
}

// The docker bridge of network ndfw-dnet when the fixtures were recorded (live-host.txt).
const DOCKER_BRIDGE = 'br-f1bdd91f31c1';

describe('parseNftJson on the live host with no container running (baseline)', () => {
  const ruleset = parseNftJson(recorded('baseline.nft.json'));

  it('reads the metainfo and the two tables iptables-nft made', () => {
    expect(ruleset.metainfo).toEqual({ version: '1.0.6', releaseName: 'Lester Gooch #5', jsonSchemaVersion: 1 });
    expect(ruleset.tables.map((table) => `${table.family} ${table.name}`)).toEqual(['ip nat', 'ip filter']);
    expect(ruleset.otherObjects).toEqual([]);
  });

  it("reads FORWARD as a base chain with docker's drop policy, and DOCKER-USER as a regular chain", () => {
    const forward = chain(ruleset, 'ip', 'filter', 'FORWARD');
    expect(forward.base).toEqual({ type: 'filter', hook: 'forward', priority: 0, policy: 'drop' });
    expect(rule(forward, 1).verdict).toEqual({ kind: 'jump', target: 'DOCKER-USER' });
    const dockerUser = chain(ruleset, 'ip', 'filter', 'DOCKER-USER');
    expect(dockerUser.base).toBeNull();
    expect(dockerUser.rules.map((r) => r.verdict)).toEqual([{ kind: 'return' }]);
  });

  it('reads the nat base chains with their priorities', () => {
    expect(chain(ruleset, 'ip', 'nat', 'PREROUTING').base).toEqual({
      type: 'nat',
      hook: 'prerouting',
      priority: -100,
      policy: 'accept',
    });
    expect(chain(ruleset, 'ip', 'nat', 'POSTROUTING').base?.priority).toBe(100);
  });
});

describe('parseNftJson on the live host with a podman and a docker container publishing ports', () => {
  const ruleset = parseNftJson(recorded('containers.nft.json'));
  const netavarkForward = chain(ruleset, 'ip', 'filter', 'NETAVARK_FORWARD');

  it('summarizes the NETAVARK_FORWARD accept for the podman subnet completely', () => {
    const outbound = rule(netavarkForward, 2);
    expect(outbound.verdict).toEqual({ kind: 'accept' });
    expect(outbound.summary.sourceAddress).toEqual([{ protocol: 'ip', operator: '==', values: ['10.89.0.0/24'] }]);
    expect(outbound.summary.complete).toBe(true);
  });

  it('flags the conntrack state match that iptables-nft kept as an xt extension', () => {
    const related = rule(netavarkForward, 1);
    expect(related.summary.destinationAddress).toEqual([{ protocol: 'ip', operator: '==', values: ['10.89.0.0/24'] }]);
    expect(related.summary.xtMatches).toEqual(['conntrack']);
    expect(related.summary.conntrackState).toEqual([]);
    expect(related.summary.complete).toBe(false);
  });

  it('treats the xt comment match on the netavark jump as matching everything', () => {
    const netavarkJump = chain(ruleset, 'ip', 'filter', 'FORWARD').rules.find(
      (candidate) => candidate.verdict.kind === 'jump' && candidate.verdict.target === 'NETAVARK_FORWARD',
    );
    expect(netavarkJump?.summary.xtMatches).toEqual(['comment']);
    expect(netavarkJump?.summary.complete).toBe(true);
  });

  it("reads docker's accept for its bridge with interfaces, address and port", () => {
    const accept = rule(chain(ruleset, 'ip', 'filter', 'DOCKER'), 1);
    expect(accept.verdict).toEqual({ kind: 'accept' });
    expect(accept.summary).toMatchObject({
      inInterface: [{ operator: '!=', patterns: [{ pattern: DOCKER_BRIDGE, isWildcard: false }] }],
      outInterface: [{ operator: '==', patterns: [{ pattern: DOCKER_BRIDGE, isWildcard: false }] }],
      destinationAddress: [{ protocol: 'ip', operator: '==', values: ['172.19.0.2'] }],
      destinationPort: [{ protocol: 'tcp', operator: '==', values: ['80'] }],
      counter: { packets: 0, bytes: 0 },
      complete: true,
    });
  });

  it('reads MASQUERADE and DNAT as xt targets', () => {
    const postrouting = chain(ruleset, 'ip', 'nat', 'POSTROUTING');
    expect(rule(postrouting, 1).verdict).toEqual({ kind: 'xt-target', name: 'MASQUERADE' });
    expect(rule(postrouting, 1).summary.outInterface).toEqual([
      { operator: '!=', patterns: [{ pattern: DOCKER_BRIDGE, isWildcard: false }] },
    ]);
    const dockerDnat = rule(chain(ruleset, 'ip', 'nat', 'DOCKER'), 3);
    expect(dockerDnat.verdict).toEqual({ kind: 'xt-target', name: 'DNAT' });
    expect(dockerDnat.summary.destinationPort).toEqual([{ protocol: 'tcp', operator: '==', values: ['8081'] }]);
  });

  it('keeps a mark match it cannot summarize, and the expressions as recorded', () => {
    const masqueradeMarked = rule(chain(ruleset, 'ip', 'nat', 'NETAVARK-HOSTPORT-MASQ'), 1);
    const markMatch: NftJsonValue = {
      match: { op: '==', left: { '&': [{ meta: { key: 'mark' } }, 8192] }, right: 8192 },
    };
    expect(masqueradeMarked.summary.unsummarized).toEqual([markMatch]);
    expect(masqueradeMarked.expressions[1]).toEqual(markMatch);
    expect(masqueradeMarked.summary.complete).toBe(false);
  });

  it('keeps the handle and the position of each rule', () => {
    expect(netavarkForward.rules.map((r) => r.position)).toEqual([1, 2]);
    expect(netavarkForward.rules.every((r) => Number.isInteger(r.handle) && r.chain === 'NETAVARK_FORWARD')).toBe(true);
  });
});

describe('parseNftJson on the live host with an extra inet table dropping on the forward hook', () => {
  const ruleset = parseNftJson(recorded('foreign-forward-drop.nft.json'));

  it('finds both forward-hook base chains with a drop policy, in different tables', () => {
    const forwardChains = baseChainsOnHook(ruleset, 'forward').map(
      (found) => `${found.family} ${found.table} ${found.name} ${found.base?.policy}`,
    );
    expect(forwardChains).toEqual(['ip filter FORWARD drop', 'inet ndfw forward_drop drop']);
    expect(chain(ruleset, 'inet', 'ndfw', 'forward_drop').rules).toEqual([]);
  });
});

describe('parseNftJson on native nftables rules and iptables-nft tables (private namespace)', () => {
  const ruleset = parseNftJson(recorded('private-netns.nft.json'));
  const forward = chain(ruleset, 'inet', 't', 'fw');

  it('reads interface wildcards, sets of names and an escaped literal star', () => {
    expect(rule(forward, 3).summary.inInterface).toEqual([
      { operator: '==', patterns: [{ pattern: 'podman*', isWildcard: true }] },
    ]);
    expect(rule(forward, 3).summary.outInterface).toEqual([
      {
        operator: '==',
        patterns: [
          { pattern: 'br-*', isWildcard: true },
          { pattern: 'podman0', isWildcard: false },
        ],
      },
    ]);
    expect(rule(forward, 3).comment).toBe('hi x');
    expect(rule(forward, 4).summary.inInterface).toEqual([
      { operator: '==', patterns: [{ pattern: 'a\\*b', isWildcard: false }] },
    ]);
    expect(rule(forward, 13).summary.inInterface).toEqual([
      { operator: '==', patterns: [{ pattern: 'lit\\*', isWildcard: false }] },
    ]);
  });

  it('reads conntrack state and status flags', () => {
    expect(rule(forward, 1).summary.conntrackState).toEqual([{ operator: 'in', values: ['established', 'related'] }]);
    expect(rule(forward, 8).summary.conntrackStatus).toEqual([{ operator: 'in', values: ['dnat'] }]);
    expect(rule(forward, 8).verdict).toEqual({ kind: 'accept' });
  });

  it('renders prefixes, port sets with ranges, named sets and IPv6 prefixes', () => {
    expect(rule(forward, 5).summary).toMatchObject({
      sourceAddress: [{ protocol: 'ip', operator: '==', values: ['10.89.0.0/24'] }],
      destinationPort: [{ protocol: 'tcp', operator: '==', values: ['53', '80-90'] }],
    });
    expect(rule(forward, 6).summary).toMatchObject({
      destinationAddress: [{ protocol: 'ip', operator: '==', values: ['@s4'] }],
      destinationPort: [{ protocol: 'udp', operator: '==', values: ['53'] }],
    });
    expect(rule(forward, 7).summary.sourceAddress).toEqual([
      { protocol: 'ip6', operator: '==', values: ['fd00::/64'] },
    ]);
  });

  it('summarizes every kind of verdict', () => {
    expect(forward.rules.map((r) => r.verdict)).toEqual([
      { kind: 'accept' },
      { kind: 'verdict-map' },
      { kind: 'accept' },
      { kind: 'accept' },
      { kind: 'accept' },
      { kind: 'reject' },
      { kind: 'drop' },
      { kind: 'accept' },
      { kind: 'jump', target: 'other' },
      { kind: 'goto', target: 'other' },
      { kind: 'verdict-map' },
      { kind: 'continue' },
      { kind: 'drop' },
    ]);
    const nat = [...chain(ruleset, 'inet', 't', 'n').rules, ...chain(ruleset, 'inet', 't', 'p').rules];
    expect(nat.map((r) => r.verdict)).toEqual([
      { kind: 'nat', statement: 'masquerade' },
      { kind: 'nat', statement: 'snat' },
      { kind: 'nat', statement: 'dnat' },
    ]);
  });

  it('reads the transport protocol from meta l4proto and ip protocol', () => {
    expect(rule(forward, 9).summary.transportProtocol).toEqual([{ operator: '==', values: ['tcp', 'udp'] }]);
    expect(rule(forward, 12).summary.transportProtocol).toEqual([{ operator: '==', values: ['icmp'] }]);
  });

  it('marks a rate limit as unsummarized, since it decides whether the rule matches', () => {
    expect(rule(forward, 10).summary.unsummarized).toEqual([{ limit: { rate: 10, burst: 5, per: 'second' } }]);
    expect(rule(forward, 10).summary.complete).toBe(false);
  });

  it('reads named sets and maps', () => {
    const table = ruleset.tables.find((candidate) => candidate.family === 'inet' && candidate.name === 't');
    expect(table?.sets).toEqual([
      {
        kind: 'set',
        family: 'inet',
        table: 't',
        name: 's4',
        handle: 5,
        type: 'ipv4_addr',
        dataType: null,
        flags: ['interval'],
        elements: [{ prefix: { addr: '10.88.0.0', len: 16 } }, '192.168.1.1'],
      },
      {
        kind: 'map',
        family: 'inet',
        table: 't',
        name: 'm',
        handle: 6,
        type: 'inet_service',
        dataType: 'verdict',
        flags: [],
        elements: [[22, { accept: null }]],
      },
    ]);
  });

  it('reads a netdev ingress chain, which nft 1.0.6 lists without its device', () => {
    expect(chain(ruleset, 'netdev', 'nd', 'ing').base).toEqual({
      type: 'filter',
      hook: 'ingress',
      priority: 0,
      policy: 'accept',
    });
  });

  it('sees two forward-hook drop policies: iptables-nft FORWARD and the native inet chain', () => {
    const dropping = baseChainsOnHook(ruleset, 'forward').filter((found) => found.base?.policy === 'drop');
    expect(dropping.map((found) => `${found.family} ${found.table} ${found.name}`)).toEqual([
      'ip filter FORWARD',
      'ip6 filter FORWARD',
      'inet t fw',
    ]);
  });

  it('shows the set match that iptables-nft-save printed as an unconditional ACCEPT', () => {
    const setRule = rule(chain(ruleset, 'ip', 'mangle', 'PREROUTING'), 2);
    expect(setRule.summary.sourceAddress).toEqual([
      { protocol: 'ip', operator: '==', values: ['192.0.2.1', '192.0.2.2'] },
    ]);
    expect(setRule.verdict).toEqual({ kind: 'accept' });
  });

  it('lists the extra mangle base chain that iptables-nft-save hid', () => {
    expect(baseChainsOnHook(ruleset, 'prerouting').map((found) => `${found.table} ${found.name}`)).toEqual([
      'mangle PREROUTING',
      'mangle extra',
      'raw PREROUTING',
      't p',
    ]);
  });

  it('reads the counters of the REJECT rule that saw one refused connection', () => {
    const reject = rule(chain(ruleset, 'ip', 'filter', 'INPUT'), 3);
    expect(reject.verdict).toEqual({ kind: 'xt-target', name: 'REJECT' });
    expect(reject.summary.counter).toEqual({ packets: 1, bytes: 60 });
  });
});

describe('parseNftJson on damaged recordings', () => {
  const text = recorded('containers.nft.json');

  it('throws NftParseError for truncated JSON', () => {
    expect(() => parseNftJson(text.slice(0, 500))).toThrow(NftParseError);
    expect(() => parseNftJson(text.slice(0, 500))).toThrow(/^nft output is not valid JSON: /);
  });

  it('throws NftParseError for JSON that is not an nft document', () => {
    expect(() => parseNftJson(text.replace('"nftables"', '"tables"'))).toThrow(
      'nft output is not a libnftables document: it has no top-level "nftables" array',
    );
  });

  it('names the rule whose chain is missing', () => {
    const entries = (JSON.parse(text) as { nftables: { chain?: { name?: string } }[] }).nftables;
    const withoutNetavarkForward = entries.filter((entry) => entry.chain?.name !== 'NETAVARK_FORWARD');
    expect(withoutNetavarkForward).toHaveLength(entries.length - 1);
    expect(() => parseNftJson(JSON.stringify({ nftables: withoutNetavarkForward }))).toThrow(
      /^nftables\[\d+\]\.rule belongs to chain ip filter NETAVARK_FORWARD, which is not listed$/,
    );
  });

  it('names the field that has the wrong type', () => {
    const damaged = text.replace('"prio": 0', '"prio": "filter"');
    expect(() => parseNftJson(damaged)).toThrow(/^nftables\[\d+\]\.chain\.prio is missing or not a number$/);
  });
});
