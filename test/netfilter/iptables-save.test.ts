import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseIptablesSave,
  type IptablesChain,
  type IptablesRule,
  type IptablesRuleset,
} from '../../src/netfilter/iptables-save.js';

// Every fixture was recorded on the lab host; test/fixtures/rulesets/README.md says how and in which state.
function recorded(name: string): string {
  return readFileSync(new URL(`../fixtures/rulesets/${name}`, import.meta.url), 'utf8');
}

function chain(ruleset: IptablesRuleset, table: string, name: string): IptablesChain {
  const found = ruleset.tables.find((candidate) => candidate.name === table)?.chains.find((c) => c.name === name);
  if (!found) throw new Error(`no chain ${table} ${name}`);
  return found;
}

function rule(ruleset: IptablesRuleset, table: string, chainName: string, position: number): IptablesRule {
  const found = chain(ruleset, table, chainName).rules[position - 1];
  if (!found) throw new Error(`no rule ${position} in ${table} ${chainName}`);
  return found;
}

// The docker bridge of network ndfw-dnet when the fixtures were recorded (live-host.txt).
const DOCKER_BRIDGE = 'br-f1bdd91f31c1';

describe('parseIptablesSave on the live host with no container running (baseline)', () => {
  const ruleset = parseIptablesSave(recorded('baseline.iptables-save.txt'), 'ipv4');

  it('reads the tables, the saving tool and no warning', () => {
    expect(ruleset.family).toBe('ipv4');
    expect(ruleset.tables.map((table) => table.name)).toEqual(['filter', 'nat']);
    expect(ruleset.savedBy).toEqual({ version: 'v1.8.9', backend: 'nf_tables' });
    expect(ruleset.legacyTablesPresent).toBe(false);
    expect(ruleset.incompatibleTables).toEqual([]);
    expect(ruleset.warnings).toEqual([]);
  });

  it("reads docker's DROP policy on FORWARD and user chains without a policy", () => {
    expect(chain(ruleset, 'filter', 'FORWARD')).toMatchObject({ policy: 'DROP', counters: { packets: 0, bytes: 0 } });
    expect(chain(ruleset, 'filter', 'INPUT').policy).toBe('ACCEPT');
    expect(chain(ruleset, 'filter', 'DOCKER-USER').policy).toBeNull();
  });

  it('sees FORWARD jump to DOCKER-USER first, and the netavark jump by its quoted comment', () => {
    expect(rule(ruleset, 'filter', 'FORWARD', 1).target).toEqual({ kind: 'jump', name: 'DOCKER-USER', options: [] });
    const netavarkJump = rule(ruleset, 'filter', 'FORWARD', 3);
    expect(netavarkJump.match.comment).toBe('netavark firewall plugin rules');
    expect(netavarkJump.target?.name).toBe('NETAVARK_FORWARD');
  });

  it('keeps the empty NETAVARK_FORWARD chain netavark leaves behind when its last container stops', () => {
    expect(chain(ruleset, 'filter', 'NETAVARK_FORWARD').rules).toEqual([]);
  });

  it('reads negated addresses, negated interfaces and the addrtype module', () => {
    const outputToDocker = rule(ruleset, 'nat', 'OUTPUT', 1);
    expect(outputToDocker.match.destination).toEqual({ value: '127.0.0.0/8', negated: true });
    expect(outputToDocker.match.modules).toEqual([
      { name: 'addrtype', options: [{ name: '--dst-type', values: ['LOCAL'], negated: false }] },
    ]);
    const masquerade = rule(ruleset, 'nat', 'POSTROUTING', 2);
    expect(masquerade.raw).toBe('-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE');
    expect(masquerade.match.source).toEqual({ value: '172.17.0.0/16', negated: false });
    expect(masquerade.match.outInterface).toEqual({ pattern: 'docker0', negated: true, isWildcard: false });
  });

  it('keeps the target options of MARK', () => {
    expect(rule(ruleset, 'nat', 'NETAVARK-HOSTPORT-SETMARK', 1).target).toEqual({
      kind: 'jump',
      name: 'MARK',
      options: [{ name: '--set-xmark', values: ['0x2000/0x2000'], negated: false }],
    });
  });
});

describe('parseIptablesSave on the live host with a podman and a docker container publishing ports', () => {
  const ruleset = parseIptablesSave(recorded('containers.iptables-save.txt'), 'ipv4');

  it('parses every rule without a warning', () => {
    const ruleCount = ruleset.tables.flatMap((table) => table.chains).reduce((sum, c) => sum + c.rules.length, 0);
    expect(ruleCount).toBe(41);
    expect(ruleset.warnings).toEqual([]);
  });

  it("reads netavark's forward rules for the podman subnet", () => {
    const [related, outbound] = chain(ruleset, 'filter', 'NETAVARK_FORWARD').rules;
    expect(related?.match.destination).toEqual({ value: '10.89.0.0/24', negated: false });
    expect(related?.match.conntrackStates).toEqual({ states: ['RELATED', 'ESTABLISHED'], negated: false });
    expect(related?.target?.name).toBe('ACCEPT');
    expect(outbound?.match.source).toEqual({ value: '10.89.0.0/24', negated: false });
    expect(outbound?.match.conntrackStates).toBeNull();
    expect(outbound?.target?.name).toBe('ACCEPT');
  });

  it("reads docker's per-port accept with a tcp destination port", () => {
    const accept = rule(ruleset, 'filter', 'DOCKER', 1);
    expect(accept.match).toMatchObject({
      protocol: { value: 'tcp', negated: false },
      destination: { value: '172.19.0.2/32', negated: false },
      inInterface: { pattern: DOCKER_BRIDGE, negated: true, isWildcard: false },
      outInterface: { pattern: DOCKER_BRIDGE, negated: false, isWildcard: false },
      destinationPort: { value: '80', negated: false },
    });
  });

  it('reads the DNAT of both published ports with their destinations', () => {
    const dockerDnat = rule(ruleset, 'nat', 'DOCKER', 3);
    expect(dockerDnat.match.destinationPort).toEqual({ value: '8081', negated: false });
    expect(dockerDnat.target).toEqual({
      kind: 'jump',
      name: 'DNAT',
      options: [{ name: '--to-destination', values: ['172.19.0.2:80'], negated: false }],
    });
    const podmanDnat = chain(ruleset, 'nat', 'NETAVARK-DN-0FA7196DBC64B').rules.at(-1);
    expect(podmanDnat?.match.destinationPort?.value).toBe('8080');
    expect(podmanDnat?.target?.options).toEqual([
      { name: '--to-destination', values: ['10.89.0.3:80'], negated: false },
    ]);
  });

  it('reads a quoted comment with spaces and colons as one value', () => {
    const hostportJump = rule(ruleset, 'nat', 'NETAVARK-HOSTPORT-DNAT', 1);
    expect(hostportJump.match.comment).toBe(
      'dnat name: ndfw-net id: a0663d04327c2c45fb8a042f01bfc439365abc904b406b0ab7cfabdd6204cce8',
    );
    expect(hostportJump.match.modules.map((module) => module.name)).toEqual(['tcp', 'comment']);
  });

  it('numbers rules in chain order', () => {
    const forward = chain(ruleset, 'filter', 'FORWARD').rules;
    expect(forward.map((r) => r.position)).toEqual(forward.map((_, index) => index + 1));
    expect(forward[6]?.target?.name).toBe('NETAVARK_FORWARD');
  });
});

describe('parseIptablesSave on tools that printed nothing on the live host', () => {
  it.each([
    ['baseline.ip6tables-save.txt', 'ipv6'],
    ['baseline.iptables-legacy-save.txt', 'ipv4'],
    ['containers.ip6tables-save.txt', 'ipv6'],
    ['containers.iptables-legacy-save.txt', 'ipv4'],
  ] as const)('%s is an empty ruleset', (fixture, family) => {
    expect(parseIptablesSave(recorded(fixture), family)).toEqual({
      family,
      tables: [],
      legacyTablesPresent: false,
      incompatibleTables: [],
      savedBy: null,
      warnings: [],
    });
  });
});

describe('parseIptablesSave on iptables-nft-save -c with legacy tables beside it (private namespace)', () => {
  const ruleset = parseIptablesSave(recorded('private-netns.iptables-nft-save.txt'), 'ipv4');

  it('surfaces the legacy-tables warning as a flag, not as a warning', () => {
    expect(ruleset.legacyTablesPresent).toBe(true);
    expect(ruleset.warnings).toEqual([]);
    expect(ruleset.savedBy).toEqual({ version: 'v1.8.9', backend: 'nf_tables' });
  });

  it('reads rule counters and the REJECT target option', () => {
    const reject = rule(ruleset, 'filter', 'INPUT', 3);
    expect(reject.counters).toEqual({ packets: 1, bytes: 60 });
    expect(reject.target).toEqual({
      kind: 'jump',
      name: 'REJECT',
      options: [{ name: '--reject-with', values: ['tcp-reset'], negated: false }],
    });
    expect(rule(ruleset, 'filter', 'INPUT', 1).counters).toEqual({ packets: 0, bytes: 0 });
  });

  it('unescapes quotes, backslashes and apostrophes inside a quoted comment', () => {
    const bridged = rule(ruleset, 'filter', 'FORWARD', 3);
    expect(bridged.match.comment).toBe(`bridged "quoted" \\ it's`);
    expect(bridged.match.modules[0]).toEqual({
      name: 'physdev',
      options: [{ name: '--physdev-is-bridged', values: [], negated: false }],
    });
  });

  it('takes an unquoted comment that starts with a dash as the comment, and keeps a trailing space', () => {
    const logRule = rule(ruleset, 'filter', 'INPUT', 4);
    expect(logRule.match.comment).toBe('-x');
    expect(logRule.target?.options).toEqual([{ name: '--log-prefix', values: ['nd drop: '], negated: false }]);
  });

  it('reads + wildcards with and without negation', () => {
    const podmanOut = rule(ruleset, 'filter', 'FORWARD', 2).match;
    expect(podmanOut.inInterface).toEqual({ pattern: 'podman+', negated: false, isWildcard: true });
    expect(podmanOut.outInterface).toEqual({ pattern: 'podman+', negated: true, isWildcard: true });
  });

  it('reads goto, multiport ports and a negated destination', () => {
    const dnsGoto = rule(ruleset, 'filter', 'FORWARD', 4);
    expect(dnsGoto.target).toEqual({ kind: 'goto', name: 'DOCKER-USER', options: [] });
    expect(dnsGoto.match.destination).toEqual({ value: '10.89.0.0/24', negated: true });
    expect(dnsGoto.match.destinationPort).toEqual({ value: '53,5353', negated: false });
  });

  it('reads negated conntrack states and the older state module', () => {
    expect(rule(ruleset, 'filter', 'DOCKER-USER', 1).match.conntrackStates).toEqual({
      states: ['RELATED', 'ESTABLISHED'],
      negated: true,
    });
    expect(rule(ruleset, 'filter', 'INPUT', 1).match.conntrackStates).toEqual({ states: ['INVALID'], negated: false });
  });

  it('reads source and destination port ranges of the udp match and keeps options it does not model', () => {
    const dhcp = rule(ruleset, 'filter', 'INPUT', 5).match;
    expect(dhcp.sourcePort).toEqual({ value: '67:68', negated: false });
    expect(dhcp.destinationPort).toEqual({ value: '68', negated: false });
    const ping = rule(ruleset, 'filter', 'INPUT', 2).match;
    expect(ping.modules).toEqual([
      { name: 'icmp', options: [{ name: '--icmp-type', values: ['8'], negated: false }] },
      { name: 'limit', options: [{ name: '--limit', values: ['5/sec'], negated: false }] },
    ]);
  });
});

describe('parseIptablesSave on ip6tables-nft-save (private namespace)', () => {
  const ruleset = parseIptablesSave(recorded('private-netns.ip6tables-nft-save.txt'), 'ipv6');

  it('reads IPv6 prefixes, the ipv6-icmp protocol and the FORWARD policy', () => {
    expect(ruleset.family).toBe('ipv6');
    expect(chain(ruleset, 'filter', 'FORWARD').policy).toBe('DROP');
    expect(rule(ruleset, 'filter', 'FORWARD', 1).match).toMatchObject({
      source: { value: 'fd00:89::/64', negated: false },
      protocol: { value: 'ipv6-icmp', negated: false },
    });
    expect(rule(ruleset, 'nat', 'POSTROUTING', 1).match.outInterface).toEqual({
      pattern: 'podman+',
      negated: true,
      isWildcard: true,
    });
  });
});

describe('parseIptablesSave on iptables-legacy-save (private namespace)', () => {
  const ruleset = parseIptablesSave(recorded('private-netns.iptables-legacy-save.txt'), 'ipv4');

  it('reads the legacy tables, whose header names no backend, and their chain counters', () => {
    expect(ruleset.savedBy).toEqual({ version: 'v1.8.9', backend: null });
    expect(ruleset.tables.map((table) => table.name)).toEqual(['nat', 'filter']);
    expect(chain(ruleset, 'filter', 'INPUT').counters).toEqual({ packets: 2, bytes: 100 });
    expect(rule(ruleset, 'filter', 'INPUT', 1).match).toMatchObject({
      inInterface: { pattern: 'podman+', negated: false, isWildcard: true },
      protocol: { value: 'udp', negated: false },
      destinationPort: { value: '53', negated: false },
    });
  });
});

describe('parseIptablesSave on tables that iptables-nft-save cannot show (private namespace)', () => {
  const ruleset = parseIptablesSave(recorded('private-netns-incompatible.iptables-nft-save.txt'), 'ipv4');

  it('lists the hidden base chains of mangle and the hidden raw table', () => {
    expect(ruleset.incompatibleTables).toEqual([
      { name: 'mangle', hidden: 'base-chains' },
      { name: 'raw', hidden: 'table' },
    ]);
    expect(ruleset.tables.map((table) => table.name)).toEqual(['mangle', 'filter']);
  });

  it('shows the rule with an nft set match as an unconditional ACCEPT, as iptables-nft-save printed it', () => {
    const setRule = rule(ruleset, 'mangle', 'PREROUTING', 2);
    expect(setRule.raw).toBe('-A PREROUTING -j ACCEPT');
    expect(setRule.match.source).toBeNull();
  });
});

describe('parseIptablesSave on damaged recordings', () => {
  const text = recorded('containers.iptables-save.txt');

  it('warns about an unterminated quote and still keeps the rule', () => {
    const truncated = text.slice(0, text.indexOf('"netavark firewall plugin rules"') + 9);
    const ruleset = parseIptablesSave(truncated, 'ipv4');
    expect(ruleset.warnings.map((warning) => warning.message)).toEqual([
      'unterminated double quote',
      'table filter ends without COMMIT',
    ]);
    expect(chain(ruleset, 'filter', 'FORWARD').rules.at(-1)?.match.comment).toBe('netavark');
  });

  it('warns about rules outside a table and a chain line without policy, and goes on', () => {
    const damaged = text.replace('*filter\n', '').replaceAll(':DOCKER - [0:0]', ':DOCKER');
    const ruleset = parseIptablesSave(damaged, 'ipv4');
    const messages = ruleset.warnings.map((warning) => warning.message);
    expect(messages.filter((message) => message.startsWith('line outside a table'))).toHaveLength(29);
    expect(messages).toContain('COMMIT outside a table');
    expect(messages).toContain('malformed chain line (expected `:NAME POLICY [packets:bytes]`)');
    expect(messages).toContain('rule for chain DOCKER, which table nat does not declare');
    expect(chain(ruleset, 'nat', 'DOCKER').rules).toHaveLength(3);
  });

  it('reports the line number and text of an unrecognised line', () => {
    const damaged = text.replace('-A DOCKER-USER -j RETURN', '-I DOCKER-USER -j RETURN');
    const ruleset = parseIptablesSave(damaged, 'ipv4');
    const lineNumber = damaged.split('\n').indexOf('-I DOCKER-USER -j RETURN') + 1;
    expect(ruleset.warnings).toEqual([
      {
        line: lineNumber,
        text: '-I DOCKER-USER -j RETURN',
        message: 'unrecognised line (expected a table, a chain, a rule, COMMIT or a comment)',
      },
    ]);
  });

  it('keeps a rule whose option lost its value, with a warning', () => {
    const damaged = text.replace('-A DOCKER-USER -j RETURN', '-A DOCKER-USER -j');
    const ruleset = parseIptablesSave(damaged, 'ipv4');
    expect(ruleset.warnings.map((warning) => warning.message)).toEqual([
      '-j expects one value, got 0; kept as an unmodelled option',
    ]);
    expect(rule(ruleset, 'filter', 'DOCKER-USER', 1)).toMatchObject({
      target: null,
      match: { otherOptions: [{ name: '-j', values: [], negated: false }] },
    });
  });
});
