import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { fingerprint, normalizedSubject } from '../../src/pipeline/fingerprint.js';
import { BROKEN, runCli, temporaryFolders } from '../helpers/run-cli.js';
import { reportSchemaProblems } from '../helpers/schema.js';

const folder = temporaryFolders();

async function report(args: string[] = [], snapshot = BROKEN): Promise<Report> {
  return JSON.parse((await runCli(['--replay', snapshot, '--json', ...args])).stdout) as Report;
}

/** A recorded snapshot in which `docker network inspect` lists each network `times` times. */
function withNetworksRepeated(times: number): string {
  const recorded = new URL('../fixtures/snapshots/healthy-rootful-netavark-docker.json', import.meta.url);
  const snapshot = JSON.parse(readFileSync(recorded, 'utf8'));
  const inspect = snapshot.commands.find((command: { argv: string[] }) =>
    command.argv.join(' ').startsWith('docker network inspect'),
  );
  const networks = JSON.parse(inspect.stdout) as unknown[];
  inspect.stdout = JSON.stringify(networks.flatMap((network) => Array.from({ length: times }, () => network)));
  const path = join(folder(), `repeated-${times}.json`);
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
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

  it('are given once however often the host lists the thing they are about', async () => {
    const defaultNetworkFindings = async (times: number) =>
      (await report(['--only', 'dns.default-network'], withNetworksRepeated(times))).findings.map(
        (item) => `${item.id} ${item.subject.network}`,
      );
    const once = await defaultNetworkFindings(1);
    expect(once).toContain('dns.default_network_no_dns bridge');
    expect(await defaultNetworkFindings(137)).toEqual(once);
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
