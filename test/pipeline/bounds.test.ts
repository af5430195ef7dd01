import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';
import { LIST_LIMITS, TEXT_LIMITS, boundReport, boundText } from '../../src/pipeline/bounds.js';
import { reportSchemaProblems } from '../helpers/schema.js';

const MARK = /… \[(\d+) more characters\]$/;

describe('boundText', () => {
  it('keeps a text within its limit as it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 300, max: 5000 }), (text, limit) => {
        expect(boundText(text, limit)).toBe(text);
      }),
    );
  });

  it('cuts a longer one to at most the limit, keeps its start and says how much it cut', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 40, max: 2000 })
          .chain((limit) => fc.tuple(fc.constant(limit), fc.string({ minLength: limit + 1, maxLength: limit + 3000 }))),
        ([limit, text]) => {
          const bounded = boundText(text, limit);
          expect(bounded.length).toBeLessThanOrEqual(limit);
          const cut = MARK.exec(bounded);
          expect(cut).not.toBeNull();
          const kept = bounded.slice(0, cut!.index);
          expect(text.startsWith(kept)).toBe(true);
          expect(kept.length + Number(cut![1])).toBe(text.length);
          expect(boundText(bounded, limit)).toBe(bounded);
        },
      ),
    );
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(3000);
    for (const limit of [100, 101, 102, 103]) {
      const kept = boundText(text, limit).replace(MARK, '');
      expect(kept).toBe('😀'.repeat(kept.length / 2));
    }
  });

  it('cuts five megabytes to a few kilobytes', () => {
    const bounded = boundText('x'.repeat(5 * 1024 * 1024), TEXT_LIMITS.excerpt);
    expect(bounded.length).toBeLessThanOrEqual(TEXT_LIMITS.excerpt);
    expect(bounded).toMatch(/x… \[\d{7} more characters\]$/);
  });
});

// Five megabytes, as a command's output copied into a finding.
const HUGE = 'iptables -A FORWARD -j ACCEPT\n'.repeat(180_000);

function hugeFinding(): Finding {
  return {
    id: 'fw.engine_rules_flushed',
    severity: 'error',
    title: `The rules of ${HUGE} are gone`,
    explanation: HUGE,
    subject: { engine: 'docker', network: HUGE, containers: Array.from({ length: 500 }, (_, index) => `c${index}`) },
    evidence: Array.from({ length: 30 }, () => ({ source: 'command' as const, what: HUGE, excerpt: HUGE })),
    fix: { summary: HUGE, commands: Array.from({ length: 60 }, () => HUGE) },
    docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  };
}

function hugeReport(): Report {
  const findings = [hugeFinding(), hugeFinding()];
  return {
    schemaVersion: 2,
    tool: { name: 'netdoctor', version: '0.1.0' },
    host: { hostname: HUGE, os: HUGE, kernel: HUGE, user: HUGE, uid: 0 },
    engines: [{ engine: 'docker', scope: 'rootful', reachable: false, reason: HUGE, cli: HUGE }],
    startedAt: '2026-01-02T03:04:05.000Z',
    durationMs: 1,
    summary: { findings: { error: 2, warning: 0, info: 0 }, checks: { pass: 1, fail: 1, warn: 0, skip: 0, error: 0 } },
    checks: [
      { id: 'fw.engine-rules', title: 'Engine rules', status: 'fail', durationMs: 1, findings, summary: HUGE },
      { id: 'host.ip-forward', title: HUGE, status: 'pass', durationMs: 1, findings: [], reason: HUGE },
    ],
    findings,
  };
}

describe('boundReport', () => {
  it('makes a report that carries 5 MB texts in 200 places small, valid and marked where it cut', () => {
    const report = boundReport(hugeReport());
    const size = JSON.stringify(report).length;
    expect(size).toBeLessThan(400 * 1024);
    expect(reportSchemaProblems(report)).toBe('');
    const [finding] = report.findings;
    expect(finding!.evidence).toHaveLength(LIST_LIMITS.evidence);
    expect(finding!.evidence.at(-1)).toEqual({
      source: 'command',
      what: '…',
      excerpt: `[${30 - LIST_LIMITS.evidence + 1} more evidence items]`,
    });
    expect(finding!.fix.commands).toHaveLength(LIST_LIMITS.commands);
    expect(finding!.fix.commands.at(-1)).toBe(`# … [${60 - LIST_LIMITS.commands + 1} more commands]`);
    expect(finding!.subject.containers).toHaveLength(LIST_LIMITS.containers);
    for (const text of [
      finding!.title,
      finding!.explanation,
      finding!.evidence[0]!.excerpt,
      finding!.fix.commands[0]!,
      report.checks[0]!.summary!,
      report.checks[1]!.reason!,
      report.engines[0]!.reason!,
      report.host.hostname,
    ])
      expect(text).toMatch(MARK);
    expect(report.findings).toEqual(report.checks.flatMap((check) => check.findings));
  });

  it('leaves a report within its limits as it is', () => {
    const report = hugeReport();
    const small: Report = {
      ...report,
      host: { ...report.host, hostname: 'vm', os: 'Debian', kernel: '6.1', user: 'root' },
    };
    small.engines = [];
    small.checks = [{ id: 'host.ip-forward', title: 'IPv4 forwarding', status: 'pass', durationMs: 1, findings: [] }];
    small.findings = [];
    expect(boundReport(small)).toEqual(small);
  });
});
