import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../../checks/index.js';
import { Facts } from '../../src/core/facts.js';
import { parseSnapshot } from '../../src/host/snapshot.js';
import { runChecks } from '../../src/pipeline/runner.js';
import type { Finding } from '../../src/core/types.js';
import type { Report } from '../../src/core/report.js';
import { FakeHost } from '../helpers/fake-host.js';

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
 * Snapshots the firewall lab scenarios recorded on the lab host (test/lab/scenarios/fw-*.ts, with
 * NETDOCTOR_LAB_RECORD_FIREWALL=1 or `npm run lab:record`): `netdoctor --record --only <the firewall checks>`
 * in the broken state, proven with real traffic, and again after netdoctor's printed fix brought it back.
 */
function recorded(name: string): { host: FakeHost; report: Report } {
  const base = new URL(`../fixtures/rulesets/lab/${name}`, import.meta.url);
  const snapshot = parseSnapshot(readFileSync(new URL(`${base.href}.json`), 'utf8'), `${name}.json`);
  const report = JSON.parse(readFileSync(new URL(`${base.href}.report.json`), 'utf8')) as Report;
  return { host: new FakeHost({ snapshot }), report };
}

async function replay(name: string): Promise<{ findings: Finding[]; report: Report }> {
  const { host, report } = recorded(name);
  const results = await runChecks(PART2_FIREWALL_CHECKS, { host, facts: new Facts(host) });
  expect(results.filter((result) => result.status === 'error')).toEqual([]);
  return { findings: results.flatMap((result) => result.findings), report };
}

const key = (finding: Finding) => `${finding.id} ${finding.severity} ${finding.subject.network ?? ''}`;

/** Each scenario, the finding its broken state must show (and its fixed state must not), and on which network. */
const SCENARIOS: { scenario: string; id: string; severity: string; network: string }[] = [
  {
    scenario: 'fw-br-netfilter-forward-drop',
    id: 'fw.br_netfilter_forward_drop',
    severity: 'error',
    network: 'ndl-f2br',
  },
  { scenario: 'fw-foreign-forward-drop', id: 'fw.foreign_forward_drop', severity: 'error', network: 'ndl-f2fo' },
  { scenario: 'fw-input-drop-dns', id: 'fw.input_drop_blocks_bridge_dns', severity: 'error', network: 'ndl-f2dns' },
  { scenario: 'fw-engine-rules-flushed', id: 'fw.engine_rules_flushed', severity: 'error', network: 'ndl-f2fl' },
  { scenario: 'fw-ruleset-flushed', id: 'fw.engine_rules_flushed', severity: 'error', network: 'ndl-f2rfd' },
  { scenario: 'fw-ruleset-flushed', id: 'fw.engine_rules_flushed', severity: 'error', network: 'ndl-f2rfp' },
  { scenario: 'fw-docker-user-drop', id: 'docker.docker_user_drop', severity: 'error', network: 'ndl-f2du' },
  {
    scenario: 'fw-mixed-podman-ingress',
    id: 'mixed.docker_forward_drop_breaks_podman_ingress',
    severity: 'warning',
    network: 'ndl-f2mx',
  },
  { scenario: 'fw-iptables-backend-split', id: 'fw.iptables_backend_split', severity: 'warning', network: '' },
  { scenario: 'fw-internal-docker-drop', id: 'fw.br_netfilter_forward_drop', severity: 'error', network: 'ndl-f2in' },
];

describe('the firewall checks on states the lab broke for real', () => {
  it.each(SCENARIOS)(
    '$scenario: reports $id ($severity) for $network when broken, not after the fix',
    async ({ scenario, id, severity, network }) => {
      const broken = await replay(`${scenario}.broken`);
      expect(broken.findings.map(key)).toContain(`${id} ${severity} ${network}`);
      const fixed = await replay(`${scenario}.fixed`);
      expect(fixed.findings.filter((found) => found.id === id && (found.subject.network ?? '') === network)).toEqual(
        [],
      );
    },
  );

  it('fw-iptables-backend-split: the split is the one finding; the drops it causes are not reported again as missing rules or foreign drops', async () => {
    const { findings } = await replay('fw-iptables-backend-split.broken');
    expect(findings.map((found) => found.id)).toEqual(['fw.iptables_backend_split']);
    expect(findings[0]?.explanation).toContain(
      'podman network ndl-f2sp (podman1) to the outside, by the drop policy of ip filter FORWARD (iptables-nft-save), while NETAVARK_FORWARD is in iptables-legacy',
    );
    expect(findings[0]?.explanation).toContain('between its containers');
  });

  it.each(
    [...new Set(SCENARIOS.map((item) => item.scenario))].flatMap((scenario) => [
      `${scenario}.broken`,
      `${scenario}.fixed`,
    ]),
  )('%s replays to the findings its recording run printed', async (name) => {
    const { findings, report } = await replay(name);
    expect(findings.map(key).sort()).toEqual(report.findings.map(key).sort());
    expect(findings.map((found) => found.fix.commands)).toEqual(
      findings.map((found) => report.findings.find((printed) => key(printed) === key(found))?.fix.commands),
    );
  });
});
