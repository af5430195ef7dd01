import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../../checks/index.js';
import { writeSnapshot } from '../../src/cli/io.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';
import { REMOVED, scrubArgv, scrubSnapshot } from '../../src/host/scrub.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { Redactor } from '../../src/pipeline/redact.js';
import { runChecks } from '../../src/pipeline/runner.js';
import { Capture, runCli, temporaryFolders } from '../helpers/run-cli.js';
import { snapshotPath } from '../helpers/recorded.js';

const SECRETS = fileURLToPath(new URL('../fixtures/privacy/secret-env.json', import.meta.url));
const SECRET = 'Zq9-sekrit-1796555632336725228';
const ROOTFUL = snapshotPath('healthy-rootful-netavark-docker');
const folder = temporaryFolders();

/** Replays a snapshot and records what the replay read, as `--record` does on a live host. */
async function rerecord(path: string, redact = false): Promise<{ report: Report; snapshot: Snapshot }> {
  const { report, snapshot } = await runPipeline(
    { replay: path, record: true, redact, commandTimeoutMs: 1000 },
    async (context) => ({ checks: await runChecks(HOST_CHECKS, context) }),
  );
  return { report, snapshot: snapshot! };
}

function findingKeys(report: Report) {
  return report.findings.map(({ id, severity }: Finding) => ({ id, severity }));
}

function writeJson(value: unknown, name: string): string {
  const path = join(folder(), name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('a snapshot', () => {
  it('keeps no trace of a container environment value, and keeps the names', async () => {
    expect(readFileSync(SECRETS, 'utf8').split(SECRET).length - 1).toBe(5);
    const { snapshot } = await rerecord(SECRETS);
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain(SECRET);
    expect(text).toContain(`SOMEPASSWORD=${REMOVED}`);
    expect(text).toContain('CONTAINER_HOST=REMOVED');
    // Everything but the environment is as the engines printed it.
    const podman = snapshot.commands.find(
      (command) => command.argv.slice(0, 3).join(' ') === 'podman container inspect',
    )!;
    const inspected = JSON.parse(podman.stdout) as { Config: { CreateCommand: string[]; Env: string[] } }[];
    expect(inspected[0]!.Config.CreateCommand).toContain(`SOMEPASSWORD=${REMOVED}`);
    expect(inspected[0]!.Config.Env).toContain(`PATH=${REMOVED}`);
  });

  it('replays without the secrets to what the run that recorded it found', async () => {
    const recorded = JSON.parse(readFileSync(SECRETS.replace(/\.json$/, '.report.json'), 'utf8')) as Report;
    const { snapshot } = await rerecord(SECRETS);
    const replayed = JSON.parse((await runCli(['--replay', writeJson(snapshot, 'scrubbed.json'), '--json'])).stdout);
    expect(findingKeys(replayed as Report).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      findingKeys(recorded).sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('is written 0600, also over a file that was world-readable', async () => {
    const { snapshot } = await rerecord(ROOTFUL);
    const path = join(folder(), 'snapshot.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    await writeSnapshot(snapshot, path, { stdout: new Capture(), stderr: new Capture(), env: {} });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const fresh = join(folder(), 'fresh.json');
    await writeSnapshot(snapshot, fresh, { stdout: new Capture(), stderr: new Capture(), env: {} });
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('keeps no password of a URL, and no secret setting of a file it read', () => {
    const { snapshot } = { snapshot: JSON.parse(readFileSync(ROOTFUL, 'utf8')) as Snapshot };
    snapshot.context.env.CONTAINER_HOST = 'ssh://core:hunter22@198.51.100.9:22/run/podman/podman.sock';
    // A containers.conf as a user may write it: a proxy with a password and a token for the containers' env.
    snapshot.files.push({
      path: '/etc/containers/containers.conf',
      ok: true,
      content:
        '[containers]\nenv = ["HTTP_PROXY=http://proxyuser:pr0xy-pass@198.51.100.7:3128", "API_TOKEN=tok-123456"]\n[engine]\nremote_password = "hunter22"\n',
    });
    snapshot.files.push({
      path: '/etc/docker/daemon.json',
      ok: true,
      content: JSON.stringify({
        proxies: { 'http-proxy': 'http://u:daemon-pw@198.51.100.7:3128' },
        'auth-token': 'dk-9',
      }),
    });
    const text = JSON.stringify(scrubSnapshot(snapshot));
    for (const secret of ['hunter22', 'pr0xy-pass', 'tok-123456', 'daemon-pw', 'dk-9'])
      expect(text).not.toContain(secret);
    expect(text).toContain(`ssh://core:${REMOVED}@198.51.100.9:22`);
    expect(text).toContain(`API_TOKEN=${REMOVED}`);
    expect(text).toContain(`remote_password = \\"${REMOVED}\\"`);
  });

  it('keeps the names of command-line secrets and their options', () => {
    expect(
      scrubArgv(['podman', 'run', '-e', 'A=1', '--env=B=2', '-eC=3', '--db-password', 'x', '--token=y', 'img', 'sh']),
    ).toEqual([
      'podman',
      'run',
      '-e',
      'A=REMOVED',
      '--env=B=REMOVED',
      '-eC=REMOVED',
      '--db-password',
      'REMOVED',
      '--token=REMOVED',
      'img',
      'sh',
    ]);
  });
});

describe('--redact', () => {
  const HOSTNAME = 'vm';
  const UPLINK = ['192.0.2.2', '02:fc:00:00:00:01'];

  it.each(['human', 'json', 'markdown', 'junit', 'github'])(
    'leaves neither the host name nor the uplink address or MAC in the %s format',
    async (format) => {
      const plain = (await runCli(['--replay', ROOTFUL, '--format', format, '--verbose'])).stdout;
      // The github annotations name no host; the other formats do.
      if (format !== 'github') expect(plain).toMatch(new RegExp(`\\b${HOSTNAME}\\b`));
      expect(plain).toContain('192.0.2.');
      const { stdout } = await runCli(['--replay', ROOTFUL, '--format', format, '--redact', '--verbose']);
      expect(stdout).not.toMatch(new RegExp(`(?<![\\w-])${HOSTNAME}(?![\\w-])`));
      for (const value of UPLINK) expect(stdout).not.toContain(value);
      if (format !== 'github') expect(stdout).toContain('redacted-host');
    },
  );

  it('leaves none of them in the snapshot, which replays to the same diagnosis', async () => {
    const raw = readFileSync(ROOTFUL, 'utf8');
    for (const value of UPLINK) expect(raw).toContain(value);
    const { report, snapshot } = await rerecord(ROOTFUL, true);
    const text = JSON.stringify(snapshot);
    expect(text).not.toMatch(/"vm"/);
    for (const value of UPLINK) expect(text).not.toContain(value);
    const replayed = JSON.parse((await runCli(['--replay', writeJson(snapshot, 'redacted.json'), '--json'])).stdout);
    expect(findingKeys(replayed as Report)).toEqual(findingKeys(report));
    expect((replayed as Report).summary).toEqual(report.summary);
  });

  it('gives one input one pseudonym, keeps prefixes, and leaves container subnets alone', () => {
    const redactor = new Redactor({
      hostname: 'build-7.example.org',
      users: ['alice', 'root'],
      containerSubnets: ['10.89.0.0/24'],
      key: Buffer.alloc(32, 7),
    });
    const text = redactor.text(
      'build-7 build-7.example.org alice root /home/alice 10.89.0.5 10.89.0.0/24 192.0.2.2 192.0.2.0/24 default via 192.0.2.1 127.0.0.53 0.0.0.0/0 02:FC:00:00:00:01 02:fc:00:00:00:01 fe80::fc:ff:fe00:1/64',
    );
    const words = text.split(' ');
    expect(words.slice(0, 6)).toEqual([
      'redacted-host',
      'redacted-host',
      'redacted-user1',
      'root',
      '/home/redacted-user1',
      '10.89.0.5',
    ]);
    expect(words[6]).toBe('10.89.0.0/24');
    const [address, network, , , gateway] = words.slice(7, 12);
    expect(address).not.toBe('192.0.2.2');
    expect(address!.startsWith('192.0.')).toBe(true);
    expect(address!.endsWith('.2')).toBe(true);
    expect(network).toBe(`${address!.split('.').slice(0, 3).join('.')}.0/24`);
    expect(gateway).toBe(`${address!.split('.').slice(0, 3).join('.')}.1`);
    expect(words.slice(12, 14)).toEqual(['127.0.0.53', '0.0.0.0/0']);
    expect(words.slice(14, 16)).toEqual(['02:00:00:00:00:01'.toUpperCase(), '02:00:00:00:00:01']);
    expect(words[16]!.startsWith('fe80:') || words[16]!.startsWith('febf:') || /^fe[89ab]/.test(words[16]!)).toBe(true);
    expect(words[16]).not.toBe('fe80::fc:ff:fe00:1/64');
    expect(redactor.text('192.0.2.2')).toBe(address);
  });
});
