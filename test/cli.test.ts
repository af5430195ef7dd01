import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_CHECKS, PAIR_CHECKS } from '../checks/index.js';
import { findingCatalog } from '../src/pipeline/catalog.js';
import { main } from '../src/cli/main.js';
import type { CheckResult, Finding } from '../src/core/types.js';
import type { Report } from '../src/core/report.js';
import {
  SNAPSHOT_NAMES,
  UNSHIPPED_CHECKS,
  recordedReport,
  recordedSnapshot,
  reportPath,
  snapshotPath,
} from './helpers/recorded.js';
import { reportSchemaProblems } from './helpers/schema.js';

// Every diagnosis here replays a snapshot recorded on the lab host: no engine, no root, nothing live.

const REPO = fileURLToPath(new URL('..', import.meta.url));
// Findings recorded: two infos (dns.default_network_no_dns).
const ROOTFUL = snapshotPath('healthy-rootful-netavark-docker');
// Findings recorded: the kernel's default ping_group_range (rootless.ping_group_range, a warning) and an info.
const ROOTLESS = snapshotPath('healthy-rootless');
const ANSI = new RegExp(String.fromCharCode(27) + '\\[');

class Capture extends Writable {
  text = '';

  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process; the environment is only what the test gives, never the developer's. */
async function netdoctor(args: string[], options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<Outcome> {
  const stdout = new Capture(options.tty === true);
  const stderr = new Capture(false);
  const code = await main(args, { stdout, stderr, env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function diagnoseJson(
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await netdoctor([...args, '--json'], { env });
  return { code, report: JSON.parse(stdout) as Report, stderr };
}

function findingKey({ id, severity, subject }: Finding) {
  return { id, severity, subject };
}

function checkKey({ id, status, skip }: CheckResult) {
  return { id, status, skip };
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'netdoctor-cli-'));
  folders.push(folder);
  return folder;
}

/**
 * No snapshot of a host with an error is recorded yet, so this mutates ONE value of a recorded snapshot to
 * simulate one: net.ipv4.ip_forward "1" becomes "0". Only the exit-code tests use it.
 */
function forwardingOffSnapshot(): string {
  const snapshot = recordedSnapshot('healthy-rootful-netavark-docker');
  const forwarding = snapshot.files.find((file) => file.path === '/proc/sys/net/ipv4/ip_forward');
  if (forwarding === undefined || !forwarding.ok || forwarding.content !== '1\n')
    throw new Error('the recorded snapshot no longer has ip_forward = 1');
  forwarding.content = '0\n';
  const path = join(temporaryFolder(), 'forwarding-off.json');
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

/** A checks folder holding one plug-in whose run is the given body. */
function pluginFolder(name: string, body: string): string {
  const folder = temporaryFolder();
  writeFileSync(
    join(folder, `${name}.mjs`),
    `export default { id: 'site.${name}', title: '${name}', findings: {}, docs: '', async run() { ${body} } };\n`,
  );
  return folder;
}

describe('netdoctor --replay of the recorded snapshots', () => {
  it.each(SNAPSHOT_NAMES)('prints a report that follows schema/report.schema.json (%s)', async (name) => {
    const { report, stderr } = await diagnoseJson(['--replay', snapshotPath(name)]);
    expect(reportSchemaProblems(report)).toBe('');
    expect(report.replayedFrom).toBe(snapshotPath(name));
    expect(stderr).toBe('');
  });

  // The *.report.json beside a snapshot is what the recording run printed: when a check changes on purpose,
  // re-record both (test/fixtures/snapshots/README.md). A check added since the recording finds nothing in it: it
  // does not apply, or cannot decide from what the snapshot did not record.
  it.each(SNAPSHOT_NAMES)('finds what the live run that recorded it found (%s)', async (name) => {
    const recorded = recordedReport(name);
    const { report } = await diagnoseJson(['--replay', snapshotPath(name)]);
    expect(report.findings.map(findingKey)).toEqual(recorded.findings.map(findingKey));
    // A check the recording run had and netdoctor does not ship is not in the replay.
    const shipped = recorded.checks.filter((check) => !UNSHIPPED_CHECKS.includes(check.id));
    const recordedIds = new Set(shipped.map((check) => check.id));
    const known = report.checks.filter((check) => recordedIds.has(check.id));
    expect(known.map(checkKey)).toEqual(shipped.map(checkKey));
    for (const check of report.checks.filter((check) => !recordedIds.has(check.id))) expect(check.status).toBe('skip');
    expect(report.summary.findings).toEqual(recorded.summary.findings);
    expect(report.engines).toEqual(recorded.engines);
    // Schema 2 adds host.platform; the recorded reports are of schema 1.
    expect(report.host).toMatchObject(recorded.host);
  });

  it('keeps the recorded reports themselves valid against the schema', () => {
    for (const name of SNAPSHOT_NAMES)
      expect(reportSchemaProblems(JSON.parse(readFileSync(reportPath(name), 'utf8')))).toBe('');
  });

  it('the schema catches a report that breaks it', async () => {
    const { report } = await diagnoseJson(['--replay', ROOTLESS]);
    expect(report.findings.length).toBeGreaterThan(0);
    const broken = structuredClone(report) as unknown as {
      findings: Record<string, unknown>[];
      checks: Record<string, unknown>[];
    };
    broken.findings[0]!.severity = 'fatal';
    const passed = broken.checks.findIndex((check) => check.status === 'pass');
    broken.checks[passed]!.skip = 'not_applicable';
    expect(reportSchemaProblems(broken)).toMatch(/severity must be equal to one of the allowed values/);
    expect(reportSchemaProblems(broken)).toContain(`checks/${passed} must match "else" schema`);
  });
});

describe('exit codes', () => {
  it('is 0 when nothing is at or above --fail-on', async () => {
    expect((await netdoctor(['--replay', ROOTFUL])).code).toBe(0);
    expect((await netdoctor(['--replay', ROOTFUL, '--fail-on', 'warning'])).code).toBe(1); // the real MTU warning of this VM (eth0 1400 < 1500)
    expect((await netdoctor(['--replay', ROOTLESS])).code).toBe(0);
    expect((await netdoctor(['--replay', ROOTLESS, '--fail-on', 'never'])).code).toBe(0);
    expect((await netdoctor(['--replay', forwardingOffSnapshot(), '--fail-on', 'never'])).code).toBe(0);
  });

  it('is 1 when a finding is at or above --fail-on', async () => {
    expect((await netdoctor(['--replay', ROOTLESS, '--fail-on', 'warning'])).code).toBe(1);
    const { code, report } = await diagnoseJson(['--replay', forwardingOffSnapshot()]);
    expect(report.findings.map((item) => [item.id, item.severity])).toContainEqual([
      'host.ip_forward_disabled',
      'error',
    ]);
    expect(code).toBe(1);
  });

  it('is 2 when a check errored, and names the check and why', async () => {
    const { code, report } = await diagnoseJson([
      '--replay',
      ROOTFUL,
      '--checks-dir',
      pluginFolder('throws', "throw new Error('plug-in broke');"),
    ]);
    expect(code).toBe(2);
    expect(report.checks.find((check) => check.id === 'site.throws')).toMatchObject({
      status: 'error',
      reason: 'the check crashed: plug-in broke',
    });
    expect(report.summary.checks.error).toBe(1);
  });

  it('is 2 when a check outlives --timeout', async () => {
    const { code, report } = await diagnoseJson([
      '--replay',
      ROOTFUL,
      '--timeout',
      '0.05',
      '--checks-dir',
      pluginFolder('hangs', 'await new Promise(() => {});'),
    ]);
    expect(code).toBe(2);
    expect(report.checks.find((check) => check.id === 'site.hangs')).toMatchObject({
      status: 'error',
      reason: 'did not finish within 0.05 s',
    });
  });

  it('is 2 when a plug-in folder named in NETDOCTOR_CHECKS_DIR holds a broken plug-in', async () => {
    const folder = pluginFolder('broken', '');
    writeFileSync(join(folder, 'syntax.mjs'), 'export default {');
    const { code, report } = await diagnoseJson(['--replay', ROOTFUL], { NETDOCTOR_CHECKS_DIR: folder });
    expect(code).toBe(2);
    expect(report.checks.find((check) => check.id === `plugin:${join(folder, 'syntax.mjs')}`)?.status).toBe('error');
  });

  it('is 1, not 2, when findings fail the run and a check errored too', async () => {
    expect(
      (
        await netdoctor([
          '--replay',
          forwardingOffSnapshot(),
          '--checks-dir',
          pluginFolder('throws', "throw new Error('x');"),
        ])
      ).code,
    ).toBe(1);
  });

  it.each([
    ['an unknown option', ['--frobnicate'], "netdoctor: unknown option '--frobnicate'"],
    ['an unknown format', ['--format', 'xml'], "netdoctor: option '--format <format>' argument 'xml' is invalid."],
    [
      'an unknown shell',
      ['completion', 'tcsh'],
      "netdoctor: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.",
    ],
    [
      'a port that is no port',
      ['why', 'a', 'b', '--port', 'x'],
      "netdoctor: option '--port <port>' argument 'x' is invalid. \"x\" is not a TCP port",
    ],
    [
      'an unknown id in --only',
      ['--replay', ROOTFUL, '--only', 'host.nope'],
      'netdoctor: unknown check or finding id: host.nope (netdoctor list shows them)',
    ],
    [
      'an unknown id in --skip',
      ['--replay', ROOTFUL, '--skip', 'engine.reachable,dns.nope'],
      'unknown check or finding id: dns.nope',
    ],
    [
      'an unknown id to explain',
      ['explain', 'ip_forward'],
      'netdoctor: unknown finding id: ip_forward (did you mean host.ip_forward_disabled?)',
    ],
    [
      'a replay file that does not exist',
      ['--replay', join(tmpdir(), 'netdoctor-no-such-snapshot.json')],
      'netdoctor: cannot read the replay file: ENOENT',
    ],
    [
      'a replay file that is a report, not a snapshot',
      ['--replay', reportPath('healthy-rootless')],
      'is not a netdoctor snapshot (write one with: netdoctor --record FILE)',
    ],
    [
      '--record with --replay',
      ['--replay', ROOTFUL, '--record', join(tmpdir(), 'x.json')],
      'netdoctor: --record and --replay cannot be used together',
    ],
    [
      'a timeout that is not a positive number',
      ['--timeout', '0'],
      'netdoctor: --timeout takes a positive number of seconds, not "0"',
    ],
    [
      'a command timeout that is not a number',
      ['--command-timeout', 'slow'],
      'netdoctor: --command-timeout takes a positive number of seconds, not "slow"',
    ],
    [
      "a command timeout of why's that is not a positive number",
      ['why', 'a', 'b', '--command-timeout', '-1'],
      'netdoctor: --command-timeout takes a positive number of seconds, not "-1"',
    ],
    [
      'an unknown --fail-on level',
      ['--fail-on', 'info'],
      "argument 'info' is invalid. Allowed choices are error, warning, never.",
    ],
  ])('is 64 for %s, with the reason on stderr and nothing on stdout', async (_what, args, message) => {
    const { code, stdout, stderr } = await netdoctor(args);
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    // One prefix for every usage error, commander's own and netdoctor's.
    expect(stderr.startsWith('netdoctor: ')).toBe(true);
  });
});

describe('--only and --skip', () => {
  const ids = (report: Report) => report.checks.map((check) => check.id);

  it('select by check id', async () => {
    expect(ids((await diagnoseJson(['--replay', ROOTFUL, '--only', 'host.ip-forward,podman.backend'])).report)).toEqual(
      ['host.ip-forward', 'podman.backend'],
    );
    expect(ids((await diagnoseJson(['--replay', ROOTFUL, '--skip', 'host.ip-forward'])).report)).toEqual(
      HOST_CHECKS.map((check) => check.id).filter((id) => id !== 'host.ip-forward'),
    );
  });

  it('select by finding id: the check that reports it', async () => {
    expect(ids((await diagnoseJson(['--replay', ROOTFUL, '--only', 'dns.default_network_no_dns'])).report)).toEqual([
      'dns.default-network',
    ]);
    const { report, code } = await diagnoseJson([
      '--replay',
      ROOTLESS,
      '--fail-on',
      'warning',
      '--skip',
      'engine.unreachable',
      '--skip',
      'rootless.ping_group_range',
    ]);
    expect(ids(report)).not.toContain('engine.reachable');
    expect(ids(report)).not.toContain('rootless.ping-group-range');
    expect(report.findings.map((item) => item.id)).toEqual(['dns.default_network_no_dns']);
    expect(code).toBe(0);
  });

  it('select plug-in checks too', async () => {
    const examples = join(REPO, 'examples/checks');
    const { report } = await diagnoseJson([
      '--replay',
      ROOTFUL,
      '--checks-dir',
      examples,
      '--only',
      'site.published_port_in_ephemeral_range',
    ]);
    // The snapshot was recorded without this plug-in: its files were not recorded, so it cannot decide.
    expect(report.checks).toMatchObject([
      {
        id: 'site.reserved-ports',
        status: 'skip',
        skip: 'cannot_decide',
        source: join(examples, 'reserved-ports.mjs'),
      },
    ]);
  });
});

describe('list, explain, --version, --help', () => {
  it('lists every check with the finding ids it reports', async () => {
    const { code, stdout } = await netdoctor(['list']);
    expect(code).toBe(0);
    for (const check of HOST_CHECKS) {
      expect(stdout).toContain(`${check.id}  ${check.title}\n`);
      for (const [id, wording] of Object.entries(check.findings))
        expect(stdout).toContain(`    ${id}  (${wording.severity})\n`);
    }
  });

  it('lists as JSON the host checks and the pair checks, which together report every finding id', async () => {
    const { code, stdout } = await netdoctor(['list', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as {
      id: string;
      title: string;
      findings: { id: string; severity: string }[];
      docs: string;
    }[];
    expect(rows.map((row) => row.id)).toEqual([...HOST_CHECKS, ...PAIR_CHECKS].map((check) => check.id));
    const listed = rows.flatMap((row) => row.findings.map((item) => item.id));
    expect(new Set(listed)).toEqual(new Set(findingCatalog([...HOST_CHECKS, ...PAIR_CHECKS]).map((entry) => entry.id)));
  });

  it('lists plug-in checks beside the built-in ones, with where they came from', async () => {
    const examples = join(REPO, 'examples/checks');
    const { code, stdout, stderr } = await netdoctor(['list', '--checks-dir', examples]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(
      `site.reserved-ports  The site's published ports and the ephemeral port range  (plug-in ${join(examples, 'reserved-ports.mjs')})\n    site.published_port_in_ephemeral_range  (warning)\n`,
    );
    const rows = JSON.parse((await netdoctor(['list', '--json', '--checks-dir', examples])).stdout) as {
      id: string;
      source?: string;
    }[];
    expect(rows.at(-1)).toMatchObject({ id: 'site.reserved-ports', source: join(examples, 'reserved-ports.mjs') });
  });

  it('lists what loads and names on stderr, with exit 2, a plug-in that does not', async () => {
    const broken = temporaryFolder();
    writeFileSync(join(broken, 'broken.mjs'), 'export default 42;\n');
    const { code, stdout, stderr } = await netdoctor(['list', '--checks-dir', broken]);
    expect(code).toBe(2);
    expect(stdout).toContain('host.ip-forward  ');
    expect(stderr).toBe(
      `netdoctor: plugin:${join(broken, 'broken.mjs')}: not a valid check: the default export is not an object\n`,
    );
  });

  it("explains a plug-in's finding id by the check that reports it", async () => {
    const { code, stdout } = await netdoctor([
      'explain',
      'site.published_port_in_ephemeral_range',
      '--checks-dir',
      join(REPO, 'examples/checks'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "site.published_port_in_ephemeral_range (warning)\nA port this site publishes lies in the kernel's ephemeral port range\n",
    );
    expect(stdout).toContain(
      `Reported by: site.reserved-ports (plug-in ${join(REPO, 'examples/checks', 'reserved-ports.mjs')})\n`,
    );
    expect((await netdoctor(['explain', 'site.published_port_in_ephemeral_range'])).code).toBe(64);
  });

  it('explains a finding id: meaning, cause, fix and the check that reports it', async () => {
    const { code, stdout } = await netdoctor(['explain', 'host.ip_forward_disabled']);
    expect(code).toBe(0);
    const entry = findingCatalog(HOST_CHECKS).find((candidate) => candidate.id === 'host.ip_forward_disabled')!;
    expect(stdout).toContain('host.ip_forward_disabled (error)\nIPv4 forwarding is disabled\n');
    expect(stdout).toContain(`What it means: ${entry.explanation}`);
    expect(stdout).toContain(`Usual cause: ${entry.cause}`);
    expect(stdout).toContain(`Fix: ${entry.fix}`);
    expect(stdout).toContain('Reported by: host.handmade-forward, host.ip-forward\n');
  });

  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(await netdoctor(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints help for a command with `help`', async () => {
    const { code, stdout } = await netdoctor(['help', 'explain']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: netdoctor explain \[options\] <id>/);
  });

  it('prints help with the exit codes, on stdout', async () => {
    const { code, stdout, stderr } = await netdoctor(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: netdoctor \[options\] \[command\]/);
    expect(stdout).toContain('--replay <file>');
    expect(stdout).toContain(
      'Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 the diagnosis is incomplete',
    );
  });
});

describe('output', () => {
  it('puts nothing but the JSON report on stdout in JSON mode', async () => {
    for (const args of [['--json'], ['--format', 'json']]) {
      const { stdout, stderr } = await netdoctor(['--replay', ROOTLESS, ...args], {
        tty: true,
        env: { TERM: 'xterm' },
      });
      expect(() => JSON.parse(stdout)).not.toThrow();
      expect(stdout.startsWith('{\n')).toBe(true);
      expect(stdout.endsWith('}\n')).toBe(true);
      expect(stdout).not.toMatch(ANSI);
      expect(stderr).toBe('');
    }
  });

  it('shows the findings, their evidence and fixes in the human report', async () => {
    const { stdout } = await netdoctor(['--replay', ROOTLESS]);
    const unwrapped = stdout.replace(/\s+/g, ' ');
    expect(unwrapped).toContain(
      'netdoctor 0.1.0 on vm (Debian GNU/Linux 12 (bookworm), kernel 6.18.44-fc-v1272) as ndlab',
    );
    expect(unwrapped).toContain(`replayed from ${ROOTLESS}`);
    expect(stdout).toContain(
      `1. WARNING ndlab's groups (1500) are outside ping_group_range "1 0"  [rootless.ping_group_range]`,
    );
    expect(stdout).toContain('     - /proc/sys/net/ipv4/ping_group_range: 1 0\n');
    expect(stdout).toContain('     $ sysctl -w net.ipv4.ping_group_range="0 2147483647"\n');
    expect(stdout).toContain('0 errors, 1 warning, 1 info');
  });

  it.each([
    ['NO_COLOR is set', [], { tty: true, env: { TERM: 'xterm', NO_COLOR: '1' } }],
    ['--color never', ['--color', 'never'], { tty: true, env: { TERM: 'xterm' } }],
    ['stdout is not a terminal', [], { tty: false, env: { TERM: 'xterm' } }],
    ['the terminal is dumb', [], { tty: true, env: { TERM: 'dumb' } }],
  ])('has no ANSI escapes in the human report when %s', async (_when, args, options) => {
    const { stdout } = await netdoctor(['--replay', ROOTLESS, ...args], options);
    expect(stdout).toContain('[rootless.ping_group_range]');
    expect(stdout).not.toMatch(ANSI);
  });

  it.each([
    ['stdout is a terminal', [], { tty: true, env: { TERM: 'xterm' } }],
    ['--color always', ['--color', 'always'], { tty: false, env: {} }],
  ])('colours the human report when %s', async (_when, args, options) => {
    expect((await netdoctor(['--replay', ROOTLESS, ...args], options)).stdout).toMatch(ANSI);
  });
});

// A process that replays loads Node, netdoctor and ajv and compiles the snapshot schema: seconds on a loaded machine.
const REPLAY_PROCESS_MS = 30_000;

describe('bin/netdoctor as a process', () => {
  const spawn = (args: string[]) =>
    execa(process.execPath, [join(REPO, 'bin/netdoctor'), ...args], {
      cwd: REPO,
      reject: false,
      env: { NO_COLOR: '1' },
      extendEnv: false,
    });

  it(
    'prints a schema-valid report and exits 0 for the healthy snapshot',
    async () => {
      const result = await spawn(['--replay', ROOTFUL, '--json']);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(reportSchemaProblems(JSON.parse(result.stdout))).toBe('');
    },
    REPLAY_PROCESS_MS,
  );

  it(
    'exits with the code main returns',
    async () => {
      expect((await spawn(['--replay', ROOTLESS, '--fail-on', 'warning'])).exitCode).toBe(1);
      expect((await spawn(['--frobnicate'])).exitCode).toBe(64);
    },
    REPLAY_PROCESS_MS,
  );

  it('stops quietly when the reader of its output has gone (netdoctor list | head)', async () => {
    // The reader exits at once; netdoctor starts writing only later, so that its first write meets a closed pipe.
    const script = 'set -o pipefail; { sleep 0.3; exec "$0" bin/netdoctor list; } | true';
    const result = await execa('bash', ['-c', script, process.execPath], { cwd: REPO, reject: false });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
