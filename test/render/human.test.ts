import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { renderHuman } from '../../src/render/human.js';
import { BROKEN, runCli } from '../helpers/run-cli.js';

// The human report of a recorded broken host (the lab's ip-forward-sysctl state), cause first.

async function brokenReport(): Promise<Report> {
  return JSON.parse((await runCli(['--replay', BROKEN, '--json'])).stdout) as Report;
}

describe('the human report', () => {
  it('starts with the verdict, then the findings most severe first', async () => {
    const { stdout } = await runCli(['--replay', BROKEN]);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Container networking is broken: IPv4 forwarding is disabled (net.ipv4.ip_forward = 0)');
    const headers = lines.filter((line) => /^\d+\. (ERROR|WARNING|INFO) /.test(line)).map((line) => line.split(' ')[1]);
    expect(headers).toEqual(['ERROR', 'INFO', 'INFO']);
    expect(stdout.indexOf('1. ERROR')).toBeLessThan(stdout.indexOf('FAIL  host.ip-forward'));
    expect(stdout.indexOf('FAIL  host.ip-forward')).toBeLessThan(stdout.indexOf('netdoctor 0.1.0 on vm'));
  });

  it('prints an explanation once per id', async () => {
    const report = await brokenReport();
    const explanation = report.findings.find((item) => item.id === 'dns.default_network_no_dns')!.explanation;
    const { stdout } = await runCli(['--replay', BROKEN], { columns: 400, tty: true, env: { NO_COLOR: '1' } });
    expect(stdout.split(explanation).length - 1).toBe(1);
    expect(stdout).toContain('   why: As in 2.\n');
  });

  it('collapses passing checks into one line, and lists them with --verbose', async () => {
    const report = await brokenReport();
    const { stdout } = await runCli(['--replay', BROKEN]);
    expect(stdout).toContain(
      `${report.summary.checks.pass} checks passed, 18 did not apply to this host (--verbose lists them)\n`,
    );
    expect(stdout).not.toMatch(/^ok /m);
    const verbose = (await runCli(['--replay', BROKEN, '--verbose'])).stdout;
    const passed = report.checks.filter((check) => check.status === 'pass');
    for (const check of passed) expect(verbose).toContain(`ok    ${check.id}: ${check.title}`);
    expect(verbose).toContain('\nskip  cni.dnsmasq: does not apply: podman uses the netavark backend\n');
  });

  it('has no row that says ok and drop at once', async () => {
    // A firewall check passes while another check's drop shows in its summary: the ok row names only the check.
    for (const args of [[], ['--verbose']]) {
      const { stdout } = await runCli(['--replay', BROKEN, ...args]);
      for (const row of stdout.split('\n').filter((line) => line.startsWith('ok '))) expect(row).not.toMatch(/drop/i);
    }
  });

  it('groups checks that could not decide for one reason', async () => {
    const rootless = new URL('../fixtures/snapshots/healthy-rootless.json', import.meta.url).pathname;
    const { stdout } = await runCli(['--replay', rootless], { columns: 400, tty: true, env: { NO_COLOR: '1' } });
    expect(stdout).toContain(
      'skip  docker.docker-user, fw.br-netfilter-forward, fw.engine-rules, fw.firewalld-zones, fw.foreign-forward, fw.input-dns, fw.iptables-backend, host.ip-forward, host.ipv6-forwarding, mixed.docker-forward-podman-ingress: could not decide: no rootful network could be listed',
    );
  });

  it('wraps prose to the terminal width and never a fix command', async () => {
    const report = await brokenReport();
    for (const width of [60, 100]) {
      const text = renderHuman(report, { color: false, width, verbose: false });
      const commands = report.findings.flatMap((item) => item.fix.commands.map((command) => `     $ ${command}`));
      for (const line of text.split('\n')) {
        if (commands.includes(line)) continue;
        // A word longer than the line (a URL) stays whole rather than be cut.
        const longestWord = Math.max(...line.split(' ').map((word) => word.length));
        if (longestWord > width / 2) continue;
        expect(line.length, line).toBeLessThanOrEqual(width);
      }
      for (const command of commands) expect(text).toContain(`${command}\n`);
    }
  });

  it('wraps to the width of the terminal it writes to, and to 100 columns without one', async () => {
    const longest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
    const narrow = await runCli(['--replay', BROKEN, '--color', 'never'], { tty: true, columns: 70 });
    const paragraph = narrow.stdout.split('\n').filter((line) => line.startsWith('        '));
    expect(Math.max(...paragraph.map((line) => line.length))).toBeLessThanOrEqual(70);
    const zero = await runCli(['--replay', BROKEN, '--color', 'never'], { tty: true, columns: 0 });
    expect(longest(zero.stdout.split('\n   docs:')[0]!)).toBeLessThanOrEqual(100);
  });
});
