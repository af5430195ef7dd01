import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import dockerUserDrop from '../../checks/docker/docker-user.js';
import brNetfilterForwardDrop from '../../checks/fw/br-netfilter-forward.js';
import engineRulesFlushed from '../../checks/fw/engine-rules.js';
import foreignForwardDrop from '../../checks/fw/foreign-forward.js';
import inputDropDns from '../../checks/fw/input-dns.js';
import iptablesBackendSplit from '../../checks/fw/iptables-backend.js';
import dockerForwardDropPodmanIngress from '../../checks/mixed/docker-forward-podman-ingress.js';
import { HOST_CHECKS } from '../../checks/index.js';
import { Facts } from '../../src/core/facts.js';
import { NEEDS_ROOT, NFT_LIST } from '../../src/facts/firewall.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, CheckOutcome } from '../../src/core/check.js';
import { FakeHost, type FakeCommand } from '../helpers/fake-host.js';
import { recordedRuleset } from './recorded-rulesets.js';

const FIREWALL_CHECK_IDS = [
  'docker.docker-user',
  'fw.br-netfilter-forward',
  'fw.engine-rules',
  'fw.foreign-forward',
  'fw.input-dns',
  'fw.iptables-backend',
  'mixed.docker-forward-podman-ingress',
];
const PART2_FIREWALL_CHECKS = HOST_CHECKS.filter((check) => FIREWALL_CHECK_IDS.includes(check.id));

/**
 * The checks replay `netdoctor --record` of the lab host (live-root.snapshot.json: podman network ndwhy-net on
 * podman1, 10.89.0.0/24, with containers nd-why-db and nd-why-web; docker with no running container), either as
 * recorded (healthy) or with the rulesets that record-broken-states.sh recorded after loading that snapshot's
 * own rules into a private network namespace and breaking them (test/fixtures/rulesets/README.md).
 */
function liveSnapshot(): Snapshot {
  const url = new URL('../fixtures/rulesets/live-root.snapshot.json', import.meta.url);
  return parseSnapshot(readFileSync(url, 'utf8'), url.pathname);
}

function host(variant?: string): FakeHost {
  if (variant === undefined) return new FakeHost({ snapshot: liveSnapshot() });
  const state = `live-root.${variant}`;
  const commands: FakeCommand[] = [
    { argv: NFT_LIST, stdout: recordedRuleset(`${state}.nft.json`) },
    // The save tools print the legacy warning on stderr; the recordings hold both streams.
    { argv: ['iptables-nft-save'], stdout: recordedRuleset(`${state}.iptables-nft-save.txt`) },
  ];
  const files: Record<string, string> = {};
  if (variant === 'backend-split') {
    files['/proc/net/ip_tables_names'] = recordedRuleset(`${state}.ip_tables_names.txt`);
    commands.push({ argv: ['iptables-legacy-save'], stdout: recordedRuleset(`${state}.iptables-legacy-save.txt`) });
  }
  return new FakeHost({ snapshot: liveSnapshot(), commands, files });
}

async function run(check: Check, variant?: string): Promise<CheckOutcome> {
  const fake = host(variant);
  return check.run({ host: fake, facts: new Facts(fake) });
}

function findingsOf(outcome: CheckOutcome): Finding[] {
  if (!('findings' in outcome)) throw new Error(`the check skipped: ${outcome.reason}`);
  return outcome.findings;
}

async function passes(check: Check, variant?: string): Promise<void> {
  const outcome = await run(check, variant);
  expect(findingsOf(outcome)).toEqual([]);
  expect('reason' in outcome ? outcome.reason : undefined).toBeUndefined();
}

async function single(check: Check, variant: string): Promise<Finding> {
  const findings = findingsOf(await run(check, variant));
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('the Part 2 firewall checks', () => {
  it('report only ids of the catalog, each with its wording', () => {
    expect(PART2_FIREWALL_CHECKS.flatMap((check) => Object.keys(check.findings)).sort()).toEqual([
      'docker.docker_user_drop',
      'fw.br_netfilter_forward_drop',
      'fw.engine_rules_flushed',
      'fw.foreign_forward_drop',
      'fw.input_drop_blocks_bridge_dns',
      'fw.iptables_backend_split',
      'mixed.docker_forward_drop_breaks_podman_ingress',
    ]);
  });

  it.each(PART2_FIREWALL_CHECKS.map((check) => [check.id, check] as const))(
    '%s cannot decide without root, and says why',
    async (_, check) => {
      const snapshot = liveSnapshot();
      const fake = new FakeHost({
        snapshot: {
          ...snapshot,
          context: { ...snapshot.context, uid: 1500, gid: 1500, groups: [1500], user: 'ndlab' },
        },
      });
      const outcome = await check.run({ host: fake, facts: new Facts(fake) });
      // Checks that need running containers or published ports may find they do not apply before reading rules.
      if ('skip' in outcome && outcome.skip === 'not_applicable') return;
      expect(outcome).toEqual({ skip: 'cannot_decide', reason: NEEDS_ROOT });
    },
  );
});

describe('fw.br_netfilter_forward_drop', () => {
  it('passes on the healthy host', () => passes(brNetfilterForwardDrop));

  it('names the foreign forward chain that drops same-bridge traffic, and accepts the bridge there', async () => {
    const found = await single(brNetfilterForwardDrop, 'foreign-forward-drop');
    expect(found).toMatchObject({
      id: 'fw.br_netfilter_forward_drop',
      severity: 'error',
      subject: { engine: 'podman', scope: 'rootful', network: 'ndwhy-net', interface: 'podman1' },
    });
    expect(found.evidence).toEqual([
      { source: 'file', what: '/proc/sys/net/bridge/bridge-nf-call-iptables', excerpt: '1' },
      {
        source: 'command',
        what: 'nft -j list ruleset',
        excerpt:
          'table inet ndfw, chain forward_drop: chain forward_drop { type filter hook forward priority 0; policy drop; }\n(chain forward_drop has no rules)',
      },
    ]);
    expect(found.fix.commands).toEqual([
      'nft insert rule inet ndfw forward_drop iifname "podman1" oifname "podman1" accept',
    ]);
  });

  it("points at the engine's lost rules when docker's FORWARD policy drops because netavark's accepts are gone", async () => {
    const found = await single(brNetfilterForwardDrop, 'netavark-flushed');
    expect(found.evidence[1]?.excerpt).toMatch(
      /^table ip filter, chain FORWARD: :FORWARD DROP\n-A FORWARD -j DOCKER-USER/,
    );
    expect(found.fix).toEqual({
      summary: 'Make netavark write its rules for the network again.',
      commands: ['podman network reload --all'],
    });
  });
});

describe('fw.foreign_forward_drop', () => {
  it('passes on the healthy host', () => passes(foreignForwardDrop));

  it('names the foreign table whose policy drops container egress, and the accepts that let it through', async () => {
    const found = await single(foreignForwardDrop, 'foreign-forward-drop');
    expect(found.title).toBe('The drop policy of inet ndfw forward_drop drops container traffic (to-outside)');
    expect(found.subject).toMatchObject({ network: 'ndwhy-net', interface: 'podman1' });
    expect(found.fix.commands).toEqual([
      'nft insert rule inet ndfw forward_drop iifname "podman1" accept',
      'nft insert rule inet ndfw forward_drop oifname "podman1" ct state established,related accept',
    ]);
  });

  it('passes once those accepts are in the foreign table', () =>
    passes(foreignForwardDrop, 'foreign-forward-accepted'));

  it("leaves a drop policy that only drops because the engine's accepts are gone to fw.engine_rules_flushed", () =>
    passes(foreignForwardDrop, 'netavark-flushed'));
});

describe('fw.input_drop_blocks_bridge_dns', () => {
  it('passes on the healthy host', () => passes(inputDropDns));

  it('names the input chain that drops queries to aardvark-dns on the gateway', async () => {
    const found = await single(inputDropDns, 'inet-input-drop');
    expect(found.title).toBe(
      "DNS queries from podman network ndwhy-net (podman1) to 10.89.0.1:53 are dropped by the host's input hook",
    );
    expect(found.evidence[0]?.excerpt).toBe(
      'table inet filter, chain input: chain input { type filter hook input priority 0; policy drop; }\nct state { established, related } accept\niif lo accept',
    );
    expect(found.fix.commands).toEqual([
      'nft insert rule inet filter input iifname "podman1" udp dport 53 accept',
      'nft insert rule inet filter input iifname "podman1" tcp dport 53 accept',
    ]);
  });

  it('passes once udp/53 from the bridge is accepted', () => passes(inputDropDns, 'inet-input-accepted'));
});

describe('fw.engine_rules_flushed', () => {
  it('passes on the healthy host', () => passes(engineRulesFlushed));

  it("finds netavark's forward accept and masquerade missing for a network with running containers", async () => {
    const found = await single(engineRulesFlushed, 'netavark-flushed');
    expect(found.title).toBe(
      'The netavark rules for podman network ndwhy-net (podman1) are gone (forward-accept, masquerade)',
    );
    expect(found.evidence.map((evidence) => evidence.excerpt.split('\n')[0])).toEqual([
      'missing: a forward rule of netavark for podman1 (NETAVARK_FORWARD), which accepts traffic from 10.89.0.24',
      'missing: a masquerade rule in POSTROUTING for traffic from 10.89.0.24 (network ndwhy-net) to the outside',
      // The lab host has Debian's /etc/nftables.conf, which would do this whenever nftables.service starts.
      'flush ruleset',
    ]);
    expect(found.evidence[0]?.excerpt).toContain('(chain NETAVARK_FORWARD has no rules)');
    expect(found.fix.commands).toEqual(['podman network reload --all']);
  });

  it('finds everything missing after `nft flush ruleset`, and names the nftables.conf that does it', async () => {
    const found = await single(engineRulesFlushed, 'ruleset-flushed');
    expect(found.evidence.at(-1)).toEqual({ source: 'file', what: '/etc/nftables.conf', excerpt: 'flush ruleset' });
    expect(found.explanation).toContain('/etc/nftables.conf starts with `flush ruleset`');
  });
});

describe('fw.iptables_backend_split', () => {
  it('passes on the healthy host', () => passes(iptablesBackendSplit));

  it('warns when netavark writes to iptables-legacy while docker drops in iptables-nft, and says what it drops', async () => {
    const found = await single(iptablesBackendSplit, 'backend-split');
    expect(found.severity).toBe('warning');
    expect(found.explanation).toContain(
      'Engine chains: CNI, docker, netavark in iptables-nft; netavark in iptables-legacy.',
    );
    expect(found.explanation).toContain(
      'podman network ndwhy-net (podman1) to the outside, by the drop policy of ip filter FORWARD (iptables-nft-save), while NETAVARK_FORWARD is in iptables-legacy',
    );
    expect(found.evidence[0]?.excerpt.split('\n')[0]).toBe('# Warning: iptables-legacy tables present');
    expect(found.fix.commands).toEqual([
      'update-alternatives --set iptables /usr/sbin/iptables-nft',
      'update-alternatives --set ip6tables /usr/sbin/ip6tables-nft',
      'iptables-legacy -t nat -F',
      'iptables-legacy -t nat -X',
      'iptables-legacy -t filter -F',
      'iptables-legacy -t filter -X',
      'podman network reload --all',
    ]);
  });
});

describe('docker.docker_user_drop', () => {
  it('passes on the healthy host', () => passes(dockerUserDrop));

  it('finds the catch-all drop in DOCKER-USER hitting podman containers too, and accepts replies and the bridge first', async () => {
    const found = await single(dockerUserDrop, 'docker-user-drop');
    expect(found.title).toBe(
      'Rule 1 of DOCKER-USER drops container traffic (same-bridge, to-outside, reply-from-outside)',
    );
    expect(found.evidence[0]).toEqual({
      source: 'command',
      what: 'iptables-nft-save',
      excerpt:
        'table ip filter, chain DOCKER-USER, rule 1: -A DOCKER-USER -j DROP (reached through FORWARD → DOCKER-USER)',
    });
    expect(found.fix.commands).toEqual([
      'iptables -I DOCKER-USER 1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      'iptables -I DOCKER-USER 2 -i podman1 -j ACCEPT',
    ]);
  });
});

describe('mixed.docker_forward_drop_breaks_podman_ingress', () => {
  it('does not apply while no podman container publishes a port', async () => {
    expect(await run(dockerForwardDropPodmanIngress)).toEqual({
      skip: 'not_applicable',
      reason: 'no running rootful podman container publishes a port',
    });
  });
});
