import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import pingNetRaw from '../../checks/ctr/ping-net-raw.js';
import { Facts } from '../../src/core/facts.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';
import { LiveHost } from '../../src/host/live.js';
import { RecordingHost } from '../../src/host/recording.js';
import { ReplayHost } from '../../src/host/replay.js';
import { parseSnapshot, type Snapshot } from '../../src/host/snapshot.js';
import { runChecks } from '../../src/pipeline/runner.js';
import { FakeHost } from '../helpers/fake-host.js';
import { validateSnapshot } from '../helpers/snapshot.js';
import {
  containerNetnsSysctls,
  parseNetnsReader,
  parseProcessStatus,
  processStatuses,
  splitStatusLines,
} from '../../src/facts/processes.js';

const PING_GROUP_RANGE = '/proc/sys/net/ipv4/ping_group_range';
const isRoot = process.getuid?.() === 0;

describe('the namespace reader, run for real on this machine', () => {
  // This test process and its parent share a network namespace: one read for both. A pid that does not exist
  // gets its own error, and the others are still read.
  const gone = 2 ** 22 + 1;
  const pids = [process.pid, process.ppid, gone];

  it('reads each namespace once, in one process, and says why it could not read one', async () => {
    const host = new RecordingHost(new LiveHost({ commandTimeoutMs: 20_000 }));
    const read = await new Facts(host).get(containerNetnsSysctls(pids, 'rootful', PING_GROUP_RANGE));
    expect(host.commandCount).toBe(1);
    const missing = read.get(gone);
    expect(missing).toMatchObject({ ok: false });
    expect(missing?.ok === false && missing.reason).toMatch(/No such file or directory/);
    const [own, parent] = [read.get(process.pid), read.get(process.ppid)];
    if (isRoot) {
      const expected = readFileSync(PING_GROUP_RANGE, 'utf8').trim().replace(/\s+/g, ' ');
      expect(own).toMatchObject({ ok: true, value: { raw: expected } });
      expect(parent).toMatchObject({ ok: true, value: { raw: expected } });
      const namespace = (text: string | false | undefined) => (text || '').match(/net:\[\d+\]/)?.[0];
      expect(namespace(own?.ok === true && own.value.command)).toBeDefined();
      expect(namespace(own?.ok === true && own.value.command)).toBe(
        namespace(parent?.ok === true && parent.value.command),
      );
    } else {
      // setns(2) needs CAP_SYS_ADMIN: without it each pid is an error, and nothing falls back to nsenter.
      expect(own?.ok === false && own.reason).toMatch(/setns: Operation not permitted/);
    }
  });

  it('rejects output that is not its own', () => {
    expect(parseNetnsReader('1\tnet:[4026531833]\tok\t1 0\n', PING_GROUP_RANGE)?.get(1)).toMatchObject({
      ok: true,
      value: { raw: '1 0' },
    });
    expect(parseNetnsReader("Can't locate Config.pm in @INC\n", PING_GROUP_RANGE)).toBeUndefined();
  });
});

describe('the statuses of many processes', () => {
  it('reads rootful ones as files, without a command', async () => {
    const host = new RecordingHost(new LiveHost());
    const read = await new Facts(host).get(processStatuses([process.pid], 'rootful'));
    expect(host.commandCount).toBe(0);
    expect(read.get(process.pid)).toMatchObject({ ok: true, value: { effectiveGid: process.getegid?.() } });
  });

  it('splits grep -H output back into each process status', async () => {
    // The same command as for rootless containers, run here without `podman unshare`.
    const host = new LiveHost();
    const files = [`/proc/${process.pid}/status`, `/proc/${process.ppid}/status`];
    const result = await host.run(['grep', '-H', '-e', '', '--', ...files]);
    const texts = splitStatusLines(result.stdout);
    expect([...texts.keys()]).toEqual([process.pid, process.ppid]);
    expect(parseProcessStatus(texts.get(process.pid)!).effectiveGid).toBe(process.getegid?.());
    const keys = (text: string) => text.split('\n').map((line) => line.split(':')[0]);
    expect(keys(texts.get(process.pid)!)).toEqual(keys(readFileSync('/proc/self/status', 'utf8').trimEnd()));
  });
});

describe('ctr.ping-net-raw on recordings with several containers (test/fixtures/snapshots/ping-net-raw-namespaces*)', () => {
  const load = (name: string): Snapshot => {
    const path = fileURLToPath(new URL(`../fixtures/snapshots/${name}.json`, import.meta.url));
    return parseSnapshot(readFileSync(path, 'utf8'), path, validateSnapshot);
  };
  const recordedFindings = (name: string): Finding[] =>
    (JSON.parse(readFileSync(new URL(`../fixtures/snapshots/${name}.report.json`, import.meta.url), 'utf8')) as Report)
      .findings;

  it('reads four rootful containers (podman and docker, two sharing a namespace) in one process', async () => {
    const snapshot = load('ping-net-raw-namespaces');
    const host = new FakeHost({ snapshot });
    const [result] = await runChecks([pingNetRaw], { host, facts: new Facts(host) });
    expect(result?.summary).toBe('4 running container(s) checked');
    expect(result?.findings).toEqual(recordedFindings('ping-net-raw-namespaces'));
    expect(result?.findings.map((item) => item.subject.containers)).toEqual([['nd-bench-c']]);
    const reads = host.requests.filter((request) => /^run (perl|nsenter|podman unshare)/.test(request));
    expect(reads).toHaveLength(1);
    // nd-bench-b runs in nd-bench-a's namespace (--network container:nd-bench-a): read once for both.
    const perl = snapshot.commands.find((command) => command.argv[0] === 'perl')!;
    expect(new Set(perl.stdout.split('\n').flatMap((line) => line.split('\t')[1] ?? [])).size).toBe(3);
  });

  it('reads rootless containers in the user namespace: one grep of their statuses, one namespace reader', async () => {
    const host = new FakeHost({ snapshot: load('ping-net-raw-namespaces-rootless') });
    const [result] = await runChecks([pingNetRaw], { host, facts: new Facts(host) });
    expect(result?.status).toBe('pass');
    expect(result?.summary).toBe('2 running container(s) checked');
    const reads = host.requests.filter((request) => request.startsWith('run podman unshare'));
    expect(reads.map((request) => request.split(' ').slice(1, 4).join(' '))).toEqual([
      'podman unshare grep',
      'podman unshare perl',
    ]);
  });

  it('falls back to one nsenter per container on a recording made before the reader existed', async () => {
    const path = fileURLToPath(new URL('../fixtures/snapshots/lab/ip-forward-sysctl.broken.json', import.meta.url));
    const replay = new ReplayHost(parseSnapshot(readFileSync(path, 'utf8'), path, validateSnapshot));
    const tried: string[] = [];
    const host = new RecordingHost({
      context: replay.context,
      run: (argv) => {
        tried.push(argv[0]!);
        return replay.run(argv);
      },
      readFile: (file) => replay.readFile(file),
      readDir: (dir) => replay.readDir(dir),
      stat: (file) => replay.stat(file),
    });
    const [result] = await runChecks([pingNetRaw], { host, facts: new Facts(host) });
    expect(result?.status).toBe('pass');
    expect(result?.summary).toBe('2 running container(s) checked');
    // The reader was asked for and refused (not recorded); what answered are the recording's two nsenter reads.
    expect(tried.filter((program) => program === 'perl')).toHaveLength(1);
    const answered = (await host.snapshot({ name: 'test', version: '0' }, new Date())).commands;
    expect(answered.filter((command) => command.argv[0] === 'perl')).toEqual([]);
    expect(answered.filter((command) => command.argv[0] === 'nsenter' && command.exitCode === 0)).toHaveLength(2);
  });
});
