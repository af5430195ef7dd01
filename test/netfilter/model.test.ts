import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/netfilter/iptables-save.js';
import { buildModel, evaluate, type Decider, type FirewallModel } from '../../src/netfilter/model.js';
import { parseNftJson } from '../../src/netfilter/nft.js';
import { dropOwner } from '../../src/netfilter/owners.js';
import {
  bridgeToBridgePath,
  dnsToGatewayPath,
  evaluatePath,
  publishedPortPath,
  replyFromOutsidePath,
  sameBridgePath,
  toOutsidePath,
  type TrafficPath,
} from '../../src/netfilter/paths.js';
import type { Packet } from '../../src/netfilter/rule.js';
import {
  DOCKER,
  DOCKER_PEER,
  PODMAN,
  PODMAN_PEER,
  UPLINK,
  recordedModel,
  recordedRuleset,
} from '../helpers/recorded-rulesets.js';

/** Where a verdict was decided, in one line: `backend family table chain rule-or-policy action`. */
function where(decider: Decider | null | undefined): string {
  if (!decider) return 'nothing';
  return `${decider.backend} ${decider.family} ${decider.table} ${decider.chain} ${decider.ruleIndex ?? `policy`} ${decider.action}`;
}

function run(model: FirewallModel, path: TrafficPath): { verdict: string; by: string } {
  const evaluation = evaluatePath(model, path);
  return { verdict: evaluation.verdict, by: where(evaluation.decidedBy) };
}

const podmanOut = toOutsidePath(PODMAN, UPLINK);
const podmanPublished = publishedPortPath(PODMAN, { protocol: 'tcp', port: 80 }, UPLINK, 8080);
const dockerPublished = publishedPortPath(DOCKER, { protocol: 'tcp', port: 80 }, UPLINK, 8081);

describe('evaluate on the live host with a podman and a docker container publishing ports (containers)', () => {
  const model = recordedModel('containers');

  it('accepts podman traffic between containers of one bridge through NETAVARK_FORWARD when br_netfilter passes it', () => {
    expect(run(model, sameBridgePath(PODMAN, PODMAN_PEER, true))).toEqual({
      verdict: 'accept',
      by: 'iptables-nft ip filter NETAVARK_FORWARD 2 accept',
    });
  });

  it('accepts docker traffic on its bridge through its own -i/-o rule in FORWARD', () => {
    expect(run(model, sameBridgePath(DOCKER, DOCKER_PEER, true))).toEqual({
      verdict: 'accept',
      by: 'iptables-nft ip filter FORWARD 6 accept',
    });
  });

  it('crosses only the bridge hooks, which no table uses here, when br_netfilter does not pass bridged traffic', () => {
    const evaluation = evaluatePath(model, sameBridgePath(PODMAN, PODMAN_PEER, false));
    expect(evaluation.verdict).toBe('accept');
    expect(evaluation.decidedBy).toBeNull();
    expect(evaluation.steps.map((step) => `${step.packet.layer} ${step.packet.hook}`)).toEqual([
      'bridge prerouting',
      'bridge forward',
      'bridge postrouting',
    ]);
  });

  it('accepts podman egress and masquerades it through NETAVARK-<hash>', () => {
    const evaluation = evaluatePath(model, podmanOut);
    expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter NETAVARK_FORWARD 2 accept');
    const postrouting = evaluation.steps.find(
      (step) => step.packet.hook === 'postrouting' && step.packet.layer === 'ip',
    );
    expect(postrouting?.chains.flatMap((chain) => chain.possible.map((end) => where(end.decider)))).toContain(
      'iptables-nft ip nat NETAVARK-0FA7196DBC64B 2 masquerade',
    );
  });

  it('names the rule that accepts replies, from the conntrack options that only iptables-save shows', () => {
    expect(run(model, replyFromOutsidePath(PODMAN, UPLINK))).toEqual({
      verdict: 'accept',
      by: 'iptables-nft ip filter NETAVARK_FORWARD 1 accept',
    });
    const evaluation = evaluatePath(model, replyFromOutsidePath(PODMAN, UPLINK));
    expect(evaluation.decidedBy?.rule).toBe(
      '-A NETAVARK_FORWARD -d 10.89.0.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    );
  });

  it("drops new connections to podman's published port at docker's FORWARD DROP policy (netavark 1.4 accepts none)", () => {
    const evaluation = evaluatePath(model, podmanPublished);
    expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter FORWARD policy drop');
    expect(evaluation.decidedBy?.declaration).toBe(':FORWARD DROP');
    expect(dropOwner(model, evaluation.decidedBy!)).toBe('docker-policy');
  });

  it("accepts docker's published port through its DOCKER chain", () => {
    expect(run(model, dockerPublished)).toEqual({ verdict: 'accept', by: 'iptables-nft ip filter DOCKER 1 accept' });
  });

  it('traces the jumps taken on the way', () => {
    const forward = evaluatePath(model, podmanOut).steps.find(
      (step) => step.packet.hook === 'forward' && step.packet.layer === 'ip',
    );
    expect(
      forward?.trace
        .filter((step) => step.event !== 'enter')
        .map((step) => `${step.chain} ${step.ruleIndex ?? ''} ${step.action ?? step.event}`),
    ).toEqual([
      'FORWARD 1 jump DOCKER-USER',
      'DOCKER-USER 1 return',
      'FORWARD 2 jump DOCKER-ISOLATION-STAGE-1',
      'DOCKER-ISOLATION-STAGE-1 3 return',
      'FORWARD 7 jump NETAVARK_FORWARD',
      'NETAVARK_FORWARD 2 accept',
    ]);
  });

  it("drops traffic between docker's networks in DOCKER-ISOLATION, on purpose", () => {
    const evaluation = evaluatePath(model, bridgeToBridgePath({ address: '172.17.0.5', bridge: 'docker0' }, DOCKER));
    expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter DOCKER-ISOLATION-STAGE-2 1 drop');
    expect(evaluation.decidedBy?.via).toEqual(['FORWARD', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2']);
    expect(dropOwner(model, evaluation.decidedBy!)).toBe('docker-isolation');
  });

  it("lets a podman container reach a docker container's port through netavark's accept", () => {
    expect(run(model, bridgeToBridgePath(PODMAN, DOCKER, { protocol: 'tcp', port: 81 }))).toEqual({
      verdict: 'accept',
      by: 'iptables-nft ip filter NETAVARK_FORWARD 2 accept',
    });
  });

  it('finds the DNAT rule for the published port from PREROUTING, with its destination', () => {
    const packet: Packet = {
      hook: 'prerouting',
      layer: 'ip',
      family: 'ipv4',
      iif: UPLINK,
      saddr: '203.0.113.10',
      protocol: 'tcp',
      dport: 8080,
      ctState: 'new',
      daddrLocal: true,
    };
    const dnat = evaluate(model, packet)
      .chains.flatMap((chain) => chain.possible.map((end) => end.decider))
      .find((decider) => decider.action === 'dnat');
    expect(dnat).toMatchObject({
      chain: 'NETAVARK-DN-0FA7196DBC64B',
      detail: '10.89.0.3:80',
      via: ['PREROUTING', 'NETAVARK-HOSTPORT-DNAT', 'NETAVARK-DN-0FA7196DBC64B'],
    });
  });
});

describe('evaluate with nft alone, which shows iptables-nft extensions without their options', () => {
  const model = recordedModel('containers', { withIptablesText: false });

  it('answers unknown, naming the conntrack match it could not read, where a guess would have said drop', () => {
    const evaluation = evaluatePath(model, replyFromOutsidePath(PODMAN, UPLINK));
    expect(evaluation.verdict).toBe('unknown');
    expect(evaluation.decidedBy).toMatchObject({ chain: 'NETAVARK_FORWARD', ruleIndex: 1, action: 'unknown' });
    expect(evaluation.decidedBy?.detail).toContain('xt match "conntrack"');
    expect(where(evaluation.possibleDrop)).toBe('iptables-nft ip filter FORWARD policy drop');
  });

  it('still decides what does not depend on those matches, and recognises the tables iptables-nft made', () => {
    expect(run(model, podmanOut)).toEqual({
      verdict: 'accept',
      by: 'iptables-nft ip filter NETAVARK_FORWARD 2 accept',
    });
  });
});

describe('evaluate with a foreign nftables table dropping on the forward hook', () => {
  const model = recordedModel('containers', { nft: 'foreign-forward-drop.nft.json' });

  it('drops podman egress in inet ndfw although ip filter accepted it: an accept ends only its own chain', () => {
    const evaluation = evaluatePath(model, podmanOut);
    expect(where(evaluation.decidedBy)).toBe('nft inet ndfw forward_drop policy drop');
    const forward = evaluation.steps.find((step) => step.packet.hook === 'forward' && step.packet.layer === 'ip');
    expect(forward?.chains.map((chain) => `${chain.chain.table} ${chain.chain.name} ${chain.verdict}`)).toEqual([
      'filter FORWARD accept',
      'ndfw forward_drop drop',
    ]);
    expect(dropOwner(model, evaluation.decidedBy!)).toBe('foreign');
    expect(evaluation.decidedBy?.declaration).toBe(
      'chain forward_drop { type filter hook forward priority 0; policy drop; }',
    );
  });

  it('drops traffic between containers on one bridge when br_netfilter passes it, and not otherwise', () => {
    expect(run(model, sameBridgePath(PODMAN, PODMAN_PEER, true))).toEqual({
      verdict: 'drop',
      by: 'nft inet ndfw forward_drop policy drop',
    });
    expect(run(model, sameBridgePath(PODMAN, PODMAN_PEER, false)).verdict).toBe('accept');
  });
});

describe('evaluate with the accepts that fw.foreign_forward_drop proposes added to the foreign table', () => {
  const model = recordedModel('foreign-forward-accepted');

  it('lets podman egress and its replies through both tables', () => {
    expect(run(model, podmanOut)).toEqual({ verdict: 'accept', by: 'nft inet ndfw forward_drop 1 accept' });
    expect(run(model, replyFromOutsidePath(PODMAN, UPLINK))).toEqual({
      verdict: 'accept',
      by: 'nft inet ndfw forward_drop 2 accept',
    });
  });

  it("still drops podman's published port in ip filter: the accept in inet ndfw does not override docker's policy", () => {
    expect(run(model, podmanPublished)).toEqual({ verdict: 'drop', by: 'iptables-nft ip filter FORWARD policy drop' });
  });

  it('drops docker egress, which the new rules do not cover', () => {
    expect(run(model, toOutsidePath(DOCKER, UPLINK))).toEqual({
      verdict: 'drop',
      by: 'nft inet ndfw forward_drop policy drop',
    });
  });
});

describe('evaluate on the input hook', () => {
  it('drops DNS to the gateway at an iptables INPUT DROP policy (netavark#742)', () => {
    const evaluation = evaluatePath(recordedModel('input-drop'), dnsToGatewayPath(PODMAN, '10.89.0.1'));
    expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter INPUT policy drop');
    expect(evaluation.decidedBy?.hook).toBe('input');
  });

  it('drops DNS to the gateway at a native nftables input chain', () => {
    expect(run(recordedModel('inet-input-drop'), dnsToGatewayPath(PODMAN, '10.89.0.1'))).toEqual({
      verdict: 'drop',
      by: 'nft inet filter input policy drop',
    });
  });

  it('lets DNS through where no input chain drops', () => {
    expect(run(recordedModel('containers'), dnsToGatewayPath(PODMAN, '10.89.0.1')).verdict).toBe('accept');
  });
});

describe('evaluate other broken states recorded in a private namespace', () => {
  it('drops every forwarded container packet at a catch-all DOCKER-USER drop, podman and docker alike', () => {
    const model = recordedModel('docker-user-drop');
    for (const path of [
      podmanOut,
      toOutsidePath(DOCKER, UPLINK),
      replyFromOutsidePath(PODMAN, UPLINK),
      sameBridgePath(PODMAN, PODMAN_PEER, true),
    ]) {
      const evaluation = evaluatePath(model, path);
      expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter DOCKER-USER 1 drop');
      expect(dropOwner(model, evaluation.decidedBy!)).toBe('docker-user');
    }
  });

  it('drops at the FORWARD policy once a reload emptied FORWARD, and no masquerade remains', () => {
    const model = recordedModel('forward-flushed');
    const evaluation = evaluatePath(model, podmanOut);
    expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter FORWARD policy drop');
    const possible = evaluation.steps.flatMap((step) =>
      step.chains.flatMap((chain) => chain.possible.map((end) => end.decider.action)),
    );
    expect(possible).not.toContain('masquerade');
  });

  it('sees no chain at all after `nft flush ruleset`', () => {
    const evaluation = evaluatePath(recordedModel('ruleset-flushed'), podmanOut);
    expect(evaluation).toMatchObject({ verdict: 'accept', decidedBy: null });
  });

  it('drops bridged frames in a bridge-family table whatever br_netfilter does', () => {
    const model = recordedModel('bridge-forward-drop');
    expect(run(model, sameBridgePath(PODMAN, PODMAN_PEER, false))).toEqual({
      verdict: 'drop',
      by: 'nft bridge ndbr forward policy drop',
    });
    expect(run(model, podmanOut).verdict).toBe('accept');
  });

  it('answers unknown for a drop that depends on a packet mark, naming that rule', () => {
    const evaluation = evaluatePath(recordedModel('mark-drop'), podmanOut);
    expect(evaluation.verdict).toBe('unknown');
    expect(evaluation.decidedBy).toMatchObject({
      chain: 'FORWARD',
      ruleIndex: 1,
      action: 'unknown',
      rule: '-A FORWARD -m mark --mark 0x1 -j DROP',
    });
    expect(where(evaluation.possibleDrop)).toBe('iptables-nft ip filter FORWARD 1 drop');
    expect(evaluation.uncertain).toHaveLength(1);
  });

  it("needs both iptables flavours to accept: netavark in legacy does not answer docker's nft DROP policy", () => {
    const model = recordedModel('backend-split');
    const evaluation = evaluatePath(model, podmanOut);
    expect(where(evaluation.decidedBy)).toBe('iptables-nft ip filter FORWARD policy drop');
    const forward = evaluation.steps.find((step) => step.packet.hook === 'forward' && step.packet.layer === 'ip');
    expect(forward?.chains.map((chain) => `${chain.chain.backend} ${chain.verdict} ${where(chain.decidedBy)}`)).toEqual(
      ['iptables-nft drop iptables-nft ip filter FORWARD policy drop'],
    );
    const legacyOnly: FirewallModel = { tables: model.tables.filter((table) => table.backend === 'iptables-legacy') };
    expect(run(legacyOnly, podmanOut)).toEqual({
      verdict: 'accept',
      by: 'iptables-legacy ip filter NETAVARK_FORWARD 2 accept',
    });
    expect(run(model, toOutsidePath(DOCKER, UPLINK)).verdict).toBe('accept');
  });
});

describe('evaluate native nftables features (private namespace)', () => {
  const whole = buildModel({
    nft: { command: 'nft -j list ruleset', ruleset: parseNftJson(recordedRuleset('private-netns.nft.json')) },
  });
  // Only the native table: iptables-nft's FORWARD chains of the namespace drop first and would hide it.
  const model: FirewallModel = { tables: whole.tables.filter((table) => table.name === 't') };
  const forward = (fields: Partial<Packet>): Packet => ({
    hook: 'forward',
    layer: 'ip',
    family: 'ipv4',
    protocol: 'tcp',
    ctState: 'new',
    ...fields,
  });
  const decided = (packet: Packet) => {
    const evaluation = evaluate(model, packet);
    const chain = evaluation.chains.find((candidate) => candidate.chain.table === 't');
    return `${chain?.verdict} ${where(chain?.decidedBy)}`;
  };

  it('matches interface wildcards and sets of names', () => {
    expect(
      decided(forward({ iif: 'podman3', oif: 'br-abc', saddr: '192.0.2.9', daddr: '192.0.2.10', dport: 443 })),
    ).toBe('accept nft inet t fw 3 accept');
  });

  it('matches a prefix and a port set with a range', () => {
    expect(decided(forward({ iif: 'eth0', oif: 'eth1', saddr: '10.89.0.5', daddr: '192.0.2.10', dport: 85 }))).toBe(
      'accept nft inet t fw 5 accept',
    );
  });

  it('looks up a named set', () => {
    expect(
      decided(
        forward({ iif: 'eth0', oif: 'eth1', saddr: '192.0.2.9', daddr: '10.88.3.4', protocol: 'udp', dport: 53 }),
      ),
    ).toBe('drop nft inet t fw 6 reject');
  });

  it('follows a verdict map on conntrack state', () => {
    expect(
      decided(forward({ iif: 'eth0', oif: 'eth1', saddr: '192.0.2.9', daddr: '192.0.2.10', ctState: 'invalid' })),
    ).toBe('drop nft inet t fw 2 drop');
  });

  it('follows a goto whose target returns into the base chain policy, and a verdict map on ports, and says when a rate limit decides', () => {
    const evaluation = evaluate(
      model,
      forward({ iif: 'eth0', oif: 'eth1', saddr: '192.0.2.9', daddr: '192.0.2.10', dport: 22 }),
    );
    const chain = evaluation.chains.find((candidate) => candidate.chain.table === 't')!;
    expect(chain.verdict).toBe('unknown');
    expect(chain.decidedBy).toMatchObject({ ruleIndex: 10, action: 'unknown' });
    expect(chain.possible.map((end) => where(end.decider)).sort()).toEqual([
      'nft inet t fw 11 accept',
      'nft inet t fw policy drop',
    ]);
  });

  it('does not apply ip matches to IPv6 packets', () => {
    expect(
      decided(
        forward({
          family: 'ipv6',
          iif: 'eth0',
          oif: 'eth1',
          saddr: 'fd00::5',
          daddr: '2001:db8::1',
          protocol: 'icmpv6',
        }),
      ),
    ).toBe('drop nft inet t fw 7 drop');
  });
});

describe('buildModel from iptables-save text alone (no nft on the host)', () => {
  const model = buildModel({
    iptablesNft: [
      { command: 'iptables-save', ruleset: parseIptablesSave(recordedRuleset('containers.iptables-save.txt'), 'ipv4') },
    ],
  });

  it('gives the built-in chains their hooks and priorities', () => {
    const forward = model.tables
      .find((table) => table.name === 'filter')
      ?.chains.find((chain) => chain.name === 'FORWARD');
    expect(forward?.base).toEqual({ type: 'filter', hook: 'forward', priority: 0, policy: 'drop' });
    const postrouting = model.tables
      .find((table) => table.name === 'nat')
      ?.chains.find((chain) => chain.name === 'POSTROUTING');
    expect(postrouting?.base).toEqual({ type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept' });
  });

  it('decides the same paths as with nft', () => {
    expect(run(model, podmanOut)).toEqual({
      verdict: 'accept',
      by: 'iptables-nft ip filter NETAVARK_FORWARD 2 accept',
    });
    expect(run(model, podmanPublished)).toEqual({ verdict: 'drop', by: 'iptables-nft ip filter FORWARD policy drop' });
    expect(run(model, replyFromOutsidePath(PODMAN, UPLINK)).verdict).toBe('accept');
  });
});
