import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/report.js';
import { reportSchemaProblems } from '../helpers/schema.js';
import { CASES, caseReport, casePath } from '../helpers/why-recordings.js';

// Every run here replays a snapshot that `netdoctor why --record` wrote on the lab host: no engine, no root.

class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

async function netdoctor(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function why(name: string, args: string[]): Promise<{ code: number; report: Report }> {
  const { code, stdout, stderr } = await netdoctor(['why', ...args, '--replay', casePath(name), '--json']);
  expect(stderr).toBe('');
  return { code, report: JSON.parse(stdout) as Report };
}

const recorded = CASES.filter((entry) => existsSync(casePath(entry.name)));

describe('netdoctor why on recorded situations', () => {
  it('has a snapshot for every situation', () => {
    expect(recorded.map((entry) => entry.name)).toEqual(CASES.map((entry) => entry.name));
  });

  describe.each(recorded)('$name', (entry) => {
    it('gives the verdict, the exit code and the pair findings', async () => {
      const { code, report } = await why(entry.name, entry.args);
      const pair = report.pair!;
      expect(pair.verdict.sentence).toMatch(entry.sentence);
      expect(pair.verdict.outcome).toBe(entry.outcome);
      expect(code).toBe(entry.exitCode);
      expect(pair.path.kind).toBe(entry.path);
      expect(report.findings.filter((item) => item.id.startsWith('pair.')).map((item) => item.id)).toEqual(
        entry.pairFindings,
      );
    });

    it('replays to what the recording run printed', async () => {
      const { report } = await why(entry.name, entry.args);
      const original = caseReport(entry.name);
      expect(report.pair!.verdict).toEqual(original.pair!.verdict);
      expect(report.pair!.links.map(({ id, status }) => ({ id, status }))).toEqual(
        original.pair!.links.map(({ id, status }) => ({ id, status })),
      );
      expect(report.pair!.fix).toEqual(original.pair!.fix);
      expect(report.findings.map(({ id, severity, subject }) => ({ id, severity, subject }))).toEqual(
        original.findings.map(({ id, severity, subject }) => ({ id, severity, subject })),
      );
    });

    it('prints a report that the schema accepts', async () => {
      const { report } = await why(entry.name, entry.args);
      expect(reportSchemaProblems(report)).toBe('');
      expect(reportSchemaProblems(caseReport(entry.name))).toBe('');
    });

    it('finished in under 5 s when it was recorded', () => {
      expect(caseReport(entry.name).durationMs).toBeLessThan(5000);
    });

    it('says the verdict first, then the chain, then the fix', async () => {
      const { stdout } = await netdoctor(['why', ...entry.args, '--replay', casePath(entry.name), '--color', 'never']);
      const original = caseReport(entry.name);
      const [first] = stdout.split('\n');
      expect(first).toBe(original.pair!.verdict.sentence);
      if (original.pair!.links.length > 0) expect(stdout).toContain('\nevidence, link by link:\n');
      const fix = stdout.indexOf('\nfix:\n');
      if (original.pair!.fix.length > 0) {
        expect(fix).toBeGreaterThan(stdout.indexOf('evidence, link by link'));
        for (const command of original.pair!.fix) expect(stdout.slice(fix)).toContain(`  $ ${command}\n`);
      } else {
        expect(fix).toBe(-1);
      }
    });
  });
});

describe('netdoctor why, probes and engines', () => {
  it('probes from inside A: nsenter on A, ss in B, busybox from the host', async () => {
    const { report } = await why('healthy-podman', ['nd-why-web', 'nd-why-db']);
    const pair = report.pair!;
    const probes = Object.fromEntries(pair.probes.map((probe) => [probe.kind, probe]));
    expect(probes.listening?.command).toBe(`nsenter --target=${pair.b.pid} --net ss -H -l -t -n`);
    expect(probes.icmp?.command).toMatch(
      new RegExp(`^nsenter --target=${pair.a.pid} --net /\\S*busybox ping -c 1 -W 2 ${pair.path.target}$`),
    );
    expect(probes.tcp?.command).toMatch(
      new RegExp(`^nsenter --target=${pair.a.pid} --net /\\S*busybox nc -w 2 ${pair.path.target} 80$`),
    );
    expect(probes.dns?.command).toMatch(/ timeout 2 \/\S*busybox nslookup -type=a nd-why-db [\d.]+$/);
    expect(pair.probes.every((probe) => probe.durationMs < 2500)).toBe(true);
  });

  it('enters a rootless container through podman unshare', async () => {
    const { report } = await why('rootless-healthy', ['nd-why-web', 'nd-why-db']);
    const pair = report.pair!;
    expect(pair.a.scope).toBe('rootless');
    expect(pair.a.user).toBe('ndlab');
    expect(
      pair.probes
        .filter((probe) => probe.kind !== 'hosts')
        .every((probe) => probe.command.startsWith('podman unshare nsenter --target=')),
    ).toBe(true);
    expect(pair.firewall).toEqual({
      evaluated: false,
      reason: 'the rules of a rootless network namespace are not read',
    });
  });

  it('tells where each container lives', async () => {
    const { report } = await why('pod', ['nd-why-web', 'nd-why-db']);
    const { a, b } = report.pair!;
    expect(a).toMatchObject({
      found: true,
      engine: 'podman',
      scope: 'rootful',
      user: 'root',
      name: 'nd-why-web',
      running: true,
    });
    expect(a.pod).toBeDefined();
    expect(a.pod).toBe(b.pod);
    expect(a.networks.map((network) => network.name)).toEqual(['ndwhy-net']);
  });

  it('names the rule that drops the traffic, from the firewall model', async () => {
    const { report } = await why('icc-off', ['nd-why-web', 'nd-why-db']);
    const pair = report.pair!;
    expect(pair.firewall).toMatchObject({ evaluated: true, verdict: 'drop (tcp port 80)' });
    expect(pair.firewall.evaluated && pair.firewall.decidedBy).toMatch(
      /^rule \d+ of ip filter FORWARD: -A FORWARD -i (br-\w+) -o \1 -j DROP$/,
    );
    expect(pair.links.find((link) => link.id === 'icc')?.status).toBe('broken');
    expect(pair.links.find((link) => link.id === 'tcp-80')?.detail).toMatch(/^no answer within 2 s/);
    expect(report.findings.map((item) => item.id)).toContain('docker.icc_disabled');
  });

  it('prints the accept that lets the dropped traffic through, before the rule', async () => {
    const { report } = await why('firewall-drop', ['nd-why-web', 'nd-why-db']);
    const pair = report.pair!;
    const [a, b] = [pair.a.networks[0]!.address, pair.b.networks[0]!.address];
    expect(pair.fix).toEqual([
      expect.stringMatching(
        new RegExp(
          `^nft insert rule inet ndwhy forward iifname "(podman\\d+)" oifname "\\1" ip saddr ${a} ip daddr ${b} tcp dport 80 accept$`,
        ),
      ),
    ]);
    // The ping that passes points at the same rule (test/checks/pair/icmp.test.ts says what it reports).
    expect(report.findings.find((item) => item.id === 'pair.icmp_blocked')?.fix.commands).toEqual(pair.fix);
    expect(pair.links.find((link) => link.id === 'firewall')).toMatchObject({ status: 'broken' });
  });

  it('connects the container to the other network, where docker keeps its networks apart', async () => {
    const { report } = await why('no-shared-network-docker', ['nd-why-web', 'nd-why-db']);
    expect(report.pair!.fix).toEqual(['docker network connect ndwhy-back nd-why-web']);
  });

  it('checks forwarding where the host routes the path', async () => {
    const { report } = await why('no-shared-network-podman', ['nd-why-web', 'nd-why-db']);
    const forwarding = report.pair!.links.find((link) => link.id === 'forwarding')!;
    expect(forwarding.status).toBe('ok');
    expect(forwarding.evidence.map((evidence) => evidence.what)).toContain('/proc/sys/net/ipv4/ip_forward');
  });

  it('probes a port that listens on loopback only: the connection is refused', async () => {
    const loopback = await why('loopback-only', ['nd-why-web', 'nd-why-db']);
    expect(loopback.report.findings[0]!.id).toBe('pair.tcp_port_closed');
    expect(loopback.report.pair!.probes.find((probe) => probe.kind === 'tcp')?.outcome).toBe('refused');
  });

  it('answers `not recorded` probes with "cannot tell", never a guess', async () => {
    const { code, report } = await why('healthy-podman', ['nd-why-web', 'nd-why-db', '--port', '8443']);
    expect(code).toBe(2);
    expect(report.pair!.verdict.sentence).toMatch(
      /^netdoctor cannot tell whether nd-why-web reaches nd-why-db: the connection to port 8443 could not be tried \(.*was not recorded/,
    );
  });

  it('finds a container by docker: or podman: when both engines have the name', async () => {
    const { code, report } = await why('ambiguous', ['nd-why-web', 'podman:nd-why-db']);
    expect(report.pair!.b).toMatchObject({ found: true, engine: 'podman' });
    expect(code).toBe(2); // the recording ran no probe towards podman:nd-why-db
  });
});

describe('netdoctor why, usage', () => {
  it('rejects a port that is not one', async () => {
    const { code, stderr } = await netdoctor([
      'why',
      'a',
      'b',
      '--port',
      '70000',
      '--replay',
      casePath('healthy-podman'),
    ]);
    expect(code).toBe(64);
    expect(stderr).toMatch(/"70000" is not a TCP port/);
  });

  it('rejects --record with --replay, and a replay file that is no snapshot', async () => {
    expect((await netdoctor(['why', 'a', 'b', '--record', '/tmp/x', '--replay', casePath('pod')])).code).toBe(64);
    const notSnapshot = await netdoctor([
      'why',
      'a',
      'b',
      '--replay',
      new URL('../../package.json', import.meta.url).pathname,
    ]);
    expect(notSnapshot.code).toBe(64);
    expect(notSnapshot.stderr).toMatch(/is not a netdoctor snapshot/);
  });

  it('takes --json before the subcommand too', async () => {
    const { stdout } = await netdoctor(['--json', 'why', 'nd-why-web', 'nd-why-db', '--replay', casePath('pod')]);
    expect((JSON.parse(stdout) as Report).pair?.verdict.outcome).toBe('reachable');
  });
});
