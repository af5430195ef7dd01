import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import {
  NEEDS_ROOT,
  NFT_LIST,
  bridgeNfCallIptables,
  defaultRoute,
  firewallModel,
  firewallRulesets,
  kernelNetfilter,
  rootfulTraffic,
} from '../../src/facts/firewall.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import { FakeHost, type FakeCommand } from '../helpers/fake-host.js';
import { recordedRuleset } from '../helpers/recorded-rulesets.js';
import { validateSnapshot } from '../helpers/snapshot.js';

/**
 * `netdoctor --record` as root on the lab host (test/fixtures/rulesets/README.md): a rootful podman network
 * ndwhy-net (podman1, 10.89.0.0/24) with two running containers, docker with its default network, no legacy tables.
 */
function liveSnapshot(): Snapshot {
  const url = new URL('../fixtures/rulesets/live-root.snapshot.json', import.meta.url);
  return parseSnapshot(readFileSync(url, 'utf8'), url.pathname, validateSnapshot);
}

/**
 * A recorded `exit N` line followed by what the tool printed (record-broken-states.sh, as a user without privileges).
 */
function recordedFailure(file: string, argv: string[]): FakeCommand {
  const [status = '', ...output] = recordedRuleset(file).split('\n');
  return { argv, exitCode: Number(status.replace('exit ', '')), stderr: output.join('\n') };
}

/** The live host's engines with the rulesets of a state recorded in a private namespace. */
function withRulesets(
  state: string,
  extra: { commands?: FakeCommand[]; files?: Record<string, string> } = {},
): FakeHost {
  return new FakeHost({
    snapshot: liveSnapshot(),
    commands: [
      { argv: NFT_LIST, stdout: recordedRuleset(`${state}.nft.json`) },
      { argv: ['iptables-nft-save'], stdout: recordedRuleset(`${state}.iptables-nft-save.txt`) },
      ...(extra.commands ?? []),
    ],
    files: extra.files ?? {},
  });
}

describe('the firewall facts on the live host', () => {
  it('read nft and the iptables-nft flavour, and not the legacy tools while no legacy table exists', async () => {
    const host = new FakeHost({ snapshot: liveSnapshot() });
    const read = await new Facts(host).get(firewallRulesets);
    if (!read.ok) throw new Error(read.reason);
    expect(read.rulesets.kernel).toMatchObject({
      moduleLoading: false,
      nfTables: true,
      legacyTables: { ipv4: [], ipv6: [] },
    });
    expect(read.rulesets.nft.status).toBe('read');
    expect(read.rulesets.iptablesNft.ipv4.status).toBe('read');
    expect(read.rulesets.iptablesLegacy.ipv4).toEqual({
      status: 'skipped',
      reason: '/proc/net/ip_tables_names is empty: no legacy iptables table is in use',
    });
    expect(host.timesAsked('run', ['iptables-legacy-save'])).toBe(0);
    expect(host.timesAsked('run', ['ip6tables-legacy-save'])).toBe(0);
  });

  it('build a model whose tables iptables-nft manages are recognised from its output', async () => {
    const model = await new Facts(new FakeHost({ snapshot: liveSnapshot() })).get(firewallModel);
    if (!model.ok) throw new Error(model.reason);
    expect(model.model.tables.map((table) => `${table.backend} ${table.family} ${table.name}`).sort()).toEqual([
      'iptables-nft ip filter',
      'iptables-nft ip nat',
    ]);
    expect(model.limits).toEqual([]);
  });

  it('read bridge-nf-call-iptables and the default route', async () => {
    const facts = new Facts(new FakeHost({ snapshot: liveSnapshot() }));
    expect(await facts.get(bridgeNfCallIptables)).toEqual({
      ok: true,
      value: true,
      evidence: { source: 'file', what: '/proc/sys/net/bridge/bridge-nf-call-iptables', excerpt: '1' },
    });
    expect(await facts.get(defaultRoute)).toMatchObject({ ok: true, interface: 'eth0' });
  });

  it('list the rootful networks with running containers and the firewall code that writes their rules', async () => {
    const traffic = await new Facts(new FakeHost({ snapshot: liveSnapshot() })).get(rootfulTraffic);
    expect(traffic.unknown).toEqual([]);
    expect(
      traffic.networks.map((network) => ({
        name: network.network.name,
        writer: network.writer,
        bridge: network.bridge,
        containers: network.containers.map((container) => container.name).sort(),
      })),
    ).toEqual([{ name: 'ndwhy-net', writer: 'netavark', bridge: 'podman1', containers: ['nd-why-db', 'nd-why-web'] }]);
  });
});

describe('the firewall facts with legacy tables (backend-split, recorded in a private namespace)', () => {
  const legacyFiles = { '/proc/net/ip_tables_names': recordedRuleset('backend-split.ip_tables_names.txt') };

  it('read iptables-legacy-save when /proc/net/ip_tables_names lists tables, and see the warning of iptables-nft-save', async () => {
    const host = withRulesets('backend-split', {
      files: legacyFiles,
      commands: [{ argv: ['iptables-legacy-save'], stdout: recordedRuleset('backend-split.iptables-legacy-save.txt') }],
    });
    const read = await new Facts(host).get(firewallRulesets);
    if (!read.ok) throw new Error(read.reason);
    expect(read.rulesets.kernel.legacyTables.ipv4).toEqual(['nat', 'filter']);
    const nftFlavour = read.rulesets.iptablesNft.ipv4;
    expect(nftFlavour.status === 'read' && nftFlavour.ruleset.legacyTablesPresent).toBe(true);
    const model = await new Facts(host).get(firewallModel);
    if (!model.ok) throw new Error(model.reason);
    expect(
      model.model.tables.filter((table) => table.backend === 'iptables-legacy').map((table) => table.name),
    ).toEqual(['nat', 'filter']);
  });
});

describe('the firewall facts when the rules cannot be read', () => {
  it('say that reading needs root, and run nothing, for a user other than root', async () => {
    const snapshot = liveSnapshot();
    const host = new FakeHost({
      snapshot: { ...snapshot, context: { ...snapshot.context, uid: 1500, gid: 1500, groups: [1500], user: 'ndlab' } },
    });
    expect(await new Facts(host).get(firewallModel)).toEqual({ ok: false, reason: NEEDS_ROOT });
    expect(host.requests.filter((request) => request.startsWith('run '))).toEqual([]);
  });

  it('say that reading needs root when the tools are refused (root without CAP_NET_ADMIN)', async () => {
    const host = new FakeHost({
      snapshot: liveSnapshot(),
      commands: [
        recordedFailure('as-user.nft.txt', NFT_LIST),
        recordedFailure('as-user.iptables-nft-save.txt', ['iptables-nft-save']),
        recordedFailure('as-user.ip6tables-nft-save.txt', ['ip6tables-nft-save']),
      ],
    });
    expect(await new Facts(host).get(firewallModel)).toEqual({ ok: false, reason: NEEDS_ROOT });
  });

  it('turn nft output that is not JSON into a limit and build the model from iptables-nft-save', async () => {
    const truncated = recordedRuleset('containers.nft.json').slice(0, 400);
    const host = withRulesets('input-drop', { commands: [{ argv: NFT_LIST, stdout: truncated }] });
    const model = await new Facts(host).get(firewallModel);
    if (!model.ok) throw new Error(model.reason);
    expect(model.limits).toEqual([
      expect.stringMatching(/^could not read the output of `nft -j list ruleset`: nft output is not valid JSON/),
    ]);
    expect(model.model.tables.map((table) => `${table.backend} ${table.name}`)).toEqual([
      'iptables-nft filter',
      'iptables-nft nat',
    ]);
  });

  it('read a host whose ruleset was flushed as an empty model, not as a failure', async () => {
    const model = await new Facts(withRulesets('ruleset-flushed')).get(firewallModel);
    expect(model).toMatchObject({ ok: true, model: { tables: [] }, limits: [] });
  });
});

describe('the kernel facts', () => {
  it('treat a missing /proc/modules as a kernel that cannot load modules, where reading loads nothing', async () => {
    const kernel = await new Facts(new FakeHost({ snapshot: liveSnapshot() })).get(kernelNetfilter);
    expect(kernel.nfTablesReason).toMatch(/cannot load modules/);
    expect(kernel.evidence).toContainEqual({
      source: 'file',
      what: '/proc/modules',
      excerpt: '/proc/modules does not exist',
    });
  });
});
