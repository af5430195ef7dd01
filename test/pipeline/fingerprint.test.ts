import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { fingerprint, normalizedSubject } from '../../src/pipeline/fingerprint.js';
import { BROKEN, runCli } from '../helpers/run-cli.js';
import { reportSchemaProblems } from '../helpers/schema.js';

async function report(args: string[] = []): Promise<Report> {
  return JSON.parse((await runCli(['--replay', BROKEN, '--json', ...args])).stdout) as Report;
}

describe('findings in the JSON report', () => {
  it('are sorted most severe first and carry a fingerprint that is the same run after run', async () => {
    const first = await report();
    expect(reportSchemaProblems(first)).toBe('');
    expect(first.schemaVersion).toBe(2);
    expect(first.findings.map((item) => item.severity)).toEqual(['error', 'info', 'info']);
    const again = await report(['--skip', 'engine.reachable']);
    expect(again.findings.map((item) => item.fingerprint)).toEqual(first.findings.map((item) => item.fingerprint));
    expect(new Set(first.findings.map((item) => item.fingerprint)).size).toBe(first.findings.length);
    for (const check of first.checks)
      for (const item of check.findings)
        expect(first.findings.find((found) => found.fingerprint === item.fingerprint)).toEqual(item);
  });

  it('is the same for the same fault however the subject lists it, and differs for another subject', () => {
    const a = {
      id: 'fw.x',
      subject: { network: 'b, a', containers: ['web', 'db'], path: 'rule 3 of ip filter FORWARD from 10.89.0.5' },
    };
    const b = {
      id: 'fw.x',
      subject: { network: 'a,b', containers: ['db', 'web'], path: 'rule 7 of ip filter FORWARD from 10.89.0.9' },
    };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(normalizedSubject(a.subject).path).toBe('rule <n> of ip filter FORWARD from <address>');
    expect(fingerprint({ ...a, subject: { ...a.subject, network: 'c' } })).not.toBe(fingerprint(a));
    expect(fingerprint({ ...a, id: 'fw.y' })).not.toBe(fingerprint(a));
  });

  it('tells hand-made namespaces apart, in any order', () => {
    const veth = { id: 'netns.veth_down', subject: { network: 'br0', namespaces: ['red', 'blue'] } };
    expect(fingerprint({ ...veth, subject: { ...veth.subject, namespaces: ['blue', 'red'] } })).toBe(fingerprint(veth));
    expect(fingerprint({ ...veth, subject: { ...veth.subject, namespaces: ['green'] } })).not.toBe(fingerprint(veth));
    expect(fingerprint({ ...veth, subject: { network: 'br0' } })).not.toBe(fingerprint(veth));
  });
});
