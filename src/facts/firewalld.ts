import { defineFact, doesNotApply, unreadable, type NoValue } from '../core/facts.js';
import type { Host } from '../core/host.js';
import type { Evidence } from '../core/types.js';
import { commandEvidence, failureReason } from './docker.js';
import { findExecutable, systemSearchPath } from './files.js';
import { firewallRulesets } from './firewall.js';

export const FIREWALLD_STATE = ['firewall-cmd', '--state'];
export const FIREWALLD_DEFAULT_ZONE = ['firewall-cmd', '--get-default-zone'];
/** firewall-cmd's exit code for a daemon that is not running (NOT_RUNNING). */
const NOT_RUNNING = 252;

export type FirewalldState = { ok: true; defaultZone: string; evidence: Evidence[] } | NoValue;

/** Whether firewalld runs (asked with firewall-cmd, which only reads here) and its default zone. */
export const firewalldState = defineFact<FirewalldState>('firewalld:state', async (facts) => {
  const { host } = facts;
  // Running firewalld (nftables backend, its default) keeps `table inet firewalld`: its absence settles it unasked.
  const rulesets = await facts.get(firewallRulesets);
  if (rulesets.ok && rulesets.rulesets.nft.status === 'read') {
    const tables = rulesets.rulesets.nft.ruleset.tables;
    if (!tables.some((table) => table.family === 'inet' && table.name === 'firewalld'))
      return doesNotApply(
        `firewalld is not running: no \`table inet firewalld\` in \`${rulesets.rulesets.nft.command}\``,
      );
  }
  const lookup = await findExecutable(host, 'firewall-cmd', systemSearchPath(host.context));
  if (!lookup.found?.executable) return doesNotApply('firewalld is not installed (no firewall-cmd)');
  const state = await host.run(FIREWALLD_STATE);
  if (state.exitCode === NOT_RUNNING) return doesNotApply('firewalld is installed but not running');
  if (state.exitCode !== 0 || state.stdout.trim() !== 'running') return unreadable(failureReason(state));
  const zone = await host.run(FIREWALLD_DEFAULT_ZONE);
  if (zone.exitCode !== 0 || zone.stdout.trim() === '') return unreadable(failureReason(zone));
  return {
    ok: true,
    defaultZone: zone.stdout.trim(),
    evidence: [commandEvidence(state, 'running'), commandEvidence(zone, zone.stdout.trim())],
  };
});

/** A zone as `firewall-cmd --info-zone` prints it (its runtime settings). */
export interface FirewalldZone {
  name: string;
  target: string;
  interfaces: string[];
  sources: string[];
  services: string[];
  forward: boolean;
  masquerade: boolean;
}

export function parseZoneInfo(name: string, stdout: string): FirewalldZone {
  const fields = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^\s+([a-z-]+):\s*(.*)$/.exec(line);
    if (match) fields.set(match[1]!, match[2]!.trim());
  }
  const list = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter((item) => item !== '');
  return {
    name,
    target: fields.get('target') ?? '',
    interfaces: list('interfaces'),
    sources: list('sources'),
    services: list('services'),
    forward: fields.get('forward') === 'yes',
    masquerade: fields.get('masquerade') === 'yes',
  };
}

export type ZoneLookup = { zone: string | undefined; evidence: Evidence } | { problem: string };

/** The zone firewalld binds a source (an exact subnet) or an interface to; undefined when none ("no zone", exit 2). */
export async function zoneBinding(host: Host, kind: 'source' | 'interface', value: string): Promise<ZoneLookup> {
  const result = await host.run(['firewall-cmd', `--get-zone-of-${kind}=${value}`]);
  if (result.exitCode === 0 && result.stdout.trim() !== '')
    return { zone: result.stdout.trim(), evidence: commandEvidence(result, result.stdout.trim()) };
  if (result.exitCode === 2) return { zone: undefined, evidence: commandEvidence(result, 'no zone (exit 2)') };
  return { problem: failureReason(result) };
}

export type ZoneInfo = { zone: FirewalldZone; evidence: Evidence } | { problem: string };

export async function zoneInfo(host: Host, name: string): Promise<ZoneInfo> {
  const result = await host.run(['firewall-cmd', `--info-zone=${name}`]);
  if (result.exitCode !== 0) return { problem: failureReason(result) };
  const zone = parseZoneInfo(name, result.stdout);
  const excerpt = `target: ${zone.target}; interfaces: ${zone.interfaces.join(' ')}; sources: ${zone.sources.join(' ')}; forward: ${zone.forward ? 'yes' : 'no'}`;
  return { zone, evidence: commandEvidence(result, excerpt) };
}
