import { existsSync, readFileSync } from 'node:fs';
import { parseIptablesSave } from '../../src/netfilter/iptables-save.js';
import { buildModel, type FirewallModel, type RulesetSources } from '../../src/netfilter/model.js';
import { parseNftJson } from '../../src/netfilter/nft.js';

// Every ruleset here was recorded by the scripts in test/fixtures/rulesets (README.md there says how and in which
// state).
export function recordedRuleset(name: string): string {
  return readFileSync(new URL(`../fixtures/rulesets/${name}`, import.meta.url), 'utf8');
}

function exists(name: string): boolean {
  return existsSync(new URL(`../fixtures/rulesets/${name}`, import.meta.url));
}

/**
 * The model of one recorded state: its nft listing with the iptables-nft-save (or, for the live recordings,
 * iptables-save) text beside it, and its iptables-legacy-save text when the state has legacy tables.
 */
export function recordedModel(
  state: string,
  options: { nft?: string; withIptablesText?: boolean } = {},
): FirewallModel {
  const sources: RulesetSources = {
    nft: { command: 'nft -j list ruleset', ruleset: parseNftJson(recordedRuleset(options.nft ?? `${state}.nft.json`)) },
  };
  const iptablesText = [`${state}.iptables-nft-save.txt`, `${state}.iptables-save.txt`].find(exists);
  if (options.withIptablesText !== false && iptablesText) {
    sources.iptablesNft = [
      { command: 'iptables-nft-save', ruleset: parseIptablesSave(recordedRuleset(iptablesText), 'ipv4') },
    ];
  }
  const legacy = `${state}.iptables-legacy-save.txt`;
  if (exists(legacy))
    sources.iptablesLegacy = [
      { command: 'iptables-legacy-save', ruleset: parseIptablesSave(recordedRuleset(legacy), 'ipv4') },
    ];
  return buildModel(sources);
}

// The containers of the recordings (live-host.txt): podman's ndfw-a publishes 8080:80, docker's ndfw-b 8081:80.
export const PODMAN = { address: '10.89.0.3', bridge: 'podman1' };
export const PODMAN_PEER = { address: '10.89.0.4', bridge: 'podman1' };
export const DOCKER = { address: '172.19.0.2', bridge: 'br-f1bdd91f31c1' };
export const DOCKER_PEER = { address: '172.19.0.3', bridge: 'br-f1bdd91f31c1' };
export const UPLINK = 'eth0';
