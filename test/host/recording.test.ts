import { describe, expect, it } from 'vitest';
import { HOST_CHECKS } from '../../checks/index.js';
import { Facts } from '../../src/core/facts.js';
import { NotRecordedError, commandKey, type Host } from '../../src/core/host.js';
import { ReplayHost } from '../../src/host/replay.js';
import { RecordingHost } from '../../src/host/recording.js';
import { SnapshotError, parseSnapshot } from '../../src/host/snapshot.js';
import { TOOL } from '../../src/core/tool.js';
import { runChecks } from '../../src/pipeline/runner.js';
import type { CheckResult } from '../../src/core/types.js';
import { FakeHost } from '../helpers/fake-host.js';
import { SNAPSHOT_NAMES, recordedSnapshot, type SnapshotName } from '../helpers/recorded.js';
import { validateSnapshot } from '../helpers/snapshot.js';

/** Holds every request of the inner host until released, so that the callers really are concurrent. */
function gated(inner: Host): { host: Host; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const host: Host = {
    context: inner.context,
    run: async (argv, options) => (await gate, inner.run(argv, options)),
    readFile: async (path) => (await gate, inner.readFile(path)),
    readDir: async (path) => (await gate, inner.readDir(path)),
    stat: async (path) => (await gate, inner.stat(path)),
  };
  return { host, release };
}

/**
 * Counts what is asked of a replay of a recorded snapshot. Unlike a FakeHost it refuses what was not recorded
 * (the check then cannot decide), so that these tests of RecordingHost do not depend on what today's checks read.
 */
function countingReplay(name: SnapshotName): { host: Host; requests: string[] } {
  const replay = new ReplayHost(recordedSnapshot(name));
  const requests: string[] = [];
  const host: Host = {
    context: replay.context,
    run: (argv) => (requests.push(`run ${commandKey(argv)}`), replay.run(argv)),
    readFile: (path) => (requests.push(`readFile ${path}`), replay.readFile(path)),
    readDir: (path) => (requests.push(`readDir ${path}`), replay.readDir(path)),
    stat: (path) => (requests.push(`stat ${path}`), replay.stat(path)),
  };
  return { host, requests };
}

function withoutDurations(results: CheckResult[]) {
  return results.map(({ durationMs: _durationMs, ...rest }) => rest);
}

describe('RecordingHost', () => {
  it('asks the inner host once for each command, file, folder and stat, however many ask at the same time', async () => {
    const inner = new FakeHost({
      commands: [{ argv: ['podman', 'info'], stdout: '{}' }],
      files: { '/etc/subuid': 'ndlab:100000:65536\n' },
      dirs: { '/etc/cni/net.d': ['87-podman-bridge.conflist'] },
      stats: { '/dev/net/tun': { type: 'char', mode: 0o666, uid: 0, gid: 0, size: 0 } },
    });
    const { host, release } = gated(inner);
    const session = new RecordingHost(host);
    const asks = Array.from({ length: 10 }, () => [
      session.run(['podman', 'info']),
      session.readFile('/etc/subuid'),
      session.readDir('/etc/cni/net.d'),
      session.stat('/dev/net/tun'),
    ]).flat();
    release();
    const answers = await Promise.all(asks);
    expect(inner.requests).toEqual([
      'run podman info',
      'readFile /etc/subuid',
      'readDir /etc/cni/net.d',
      'stat /dev/net/tun',
    ]);
    expect(new Set(answers.filter((_, index) => index % 4 === 0)).size).toBe(1);
    expect(session.commandCount).toBe(1);
  });

  it('keeps commands apart whose arguments differ only in where they split', async () => {
    const inner = new FakeHost({
      commands: [
        { argv: ['sh', '-c', 'a b'], stdout: 'one' },
        { argv: ['sh', '-c a', 'b'], stdout: 'two' },
      ],
    });
    const session = new RecordingHost(inner);
    expect((await session.run(['sh', '-c', 'a b'])).stdout).toBe('one');
    expect((await session.run(['sh', '-c a', 'b'])).stdout).toBe('two');
  });

  it.each(SNAPSHOT_NAMES)(
    'makes every request of a full run at most once (%s), which the checks alone would repeat',
    async (name) => {
      const direct = countingReplay(name);
      await runChecks(HOST_CHECKS, { host: direct.host, facts: new Facts(direct.host) });
      expect(direct.requests.length).toBeGreaterThan(new Set(direct.requests).size);

      const inner = countingReplay(name);
      const session = new RecordingHost(inner.host);
      await runChecks(HOST_CHECKS, { host: session, facts: new Facts(session) });
      expect(inner.requests.length).toBe(new Set(inner.requests).size);
    },
  );
});

describe('record and replay', () => {
  it.each(SNAPSHOT_NAMES)(
    'replays a run recorded through RecordingHost with the same answers and results (%s)',
    async (name) => {
      const inner = countingReplay(name).host;
      const session = new RecordingHost(inner);
      const live = await runChecks(HOST_CHECKS, { host: session, facts: new Facts(session) });
      const written = JSON.stringify(await session.snapshot(TOOL, new Date('2026-01-02T03:04:05Z')));

      const snapshot = parseSnapshot(written, 'round-trip', validateSnapshot);
      expect(snapshot).toMatchObject({
        kind: 'netdoctor-snapshot',
        version: 1,
        tool: TOOL,
        recordedAt: '2026-01-02T03:04:05.000Z',
        context: inner.context,
      });
      expect(snapshot.commands.length).toBeGreaterThan(0);
      const replay = new ReplayHost(snapshot);
      for (const command of snapshot.commands)
        expect(await replay.run(command.argv)).toEqual(await inner.run(command.argv));
      for (const file of snapshot.files)
        expect(await replay.readFile(file.path)).toEqual(await inner.readFile(file.path));
      for (const dir of snapshot.dirs) expect(await replay.readDir(dir.path)).toEqual(await inner.readDir(dir.path));
      for (const stat of snapshot.stats) expect(await replay.stat(stat.path)).toEqual(await inner.stat(stat.path));

      const replayed = await runChecks(HOST_CHECKS, { host: replay, facts: new Facts(replay) });
      expect(withoutDurations(replayed)).toEqual(withoutDurations(live));
    },
  );

  it('refuses what the snapshot does not hold, naming it, rather than answer with an empty output', async () => {
    const replay = new ReplayHost(recordedSnapshot('healthy-rootless'));
    await expect(replay.run(['iptables-save', '-t', 'filter'])).rejects.toThrow(
      new NotRecordedError('the command `iptables-save -t filter` was not recorded in the snapshot'),
    );
    await expect(replay.readFile('/etc/netdoctor-never-read.conf')).rejects.toThrow(
      'the file /etc/netdoctor-never-read.conf was not recorded in the snapshot',
    );
    await expect(replay.readDir('/etc/cni/net.d')).rejects.toThrow(NotRecordedError);
    await expect(replay.stat('/usr/sbin/nft')).rejects.toThrow(NotRecordedError);
  });

  it('replays the recorded context, not the context of the machine it runs on', () => {
    const replay = new ReplayHost(recordedSnapshot('healthy-rootless'));
    expect(replay.context).toMatchObject({ user: 'ndlab', uid: 1500, env: { XDG_RUNTIME_DIR: '/run/user/1500' } });
  });
});

describe('parseSnapshot', () => {
  const valid = JSON.stringify(recordedSnapshot('healthy-rootful-netavark-docker'));
  const withChange = (change: (data: Record<string, unknown>) => void) => {
    const data = JSON.parse(valid) as Record<string, unknown>;
    change(data);
    return JSON.stringify(data);
  };

  it('accepts a recorded snapshot', () => {
    expect(parseSnapshot(valid, 'x.json', validateSnapshot).commands.length).toBeGreaterThan(0);
  });

  it.each([
    ['text that is not JSON', '{"kind": "netdoctor-snapshot",', /^x\.json is not JSON: /],
    [
      'a report instead of a snapshot',
      JSON.stringify({ schemaVersion: 1, checks: [] }),
      /^x\.json is not a netdoctor snapshot \(write one with: netdoctor --record FILE\)$/,
    ],
    ['a JSON array', '[]', /is not a netdoctor snapshot/],
    [
      'another version',
      withChange((data) => (data.version = 2)),
      /^x\.json is a snapshot of version 2; this netdoctor reads version 1$/,
    ],
    [
      'no context',
      withChange((data) => delete data.context),
      /^x\.json is not a valid snapshot: the snapshot must have required property 'context'$/,
    ],
    [
      'commands that are not a list',
      withChange((data) => (data.commands = {})),
      /^x\.json is not a valid snapshot: \/commands must be array$/,
    ],
    [
      'a command without stdout',
      withChange((data) => (data.commands = [{ argv: ['true'] }])),
      /: \/commands\/0 must have required property 'exitCode'$/,
    ],
    [
      'a file entry without ok',
      withChange((data) => (data.files = [{ path: '/etc/hostname' }])),
      /: \/files\/0 must have required property 'ok'$/,
    ],
    [
      'a readable file without content',
      withChange((data) => (data.files = [{ path: '/etc/hostname', ok: true }])),
      /: \/files\/0 must have required property 'content'$/,
    ],
    [
      'a stat of an unknown file type',
      withChange(
        (data) => ((data.stats as { stat?: { type: string } }[]).find((entry) => entry.stat)!.stat!.type = 'x'),
      ),
      /: \/stats\/\d+\/stat\/type must be equal to one of the allowed values \(file, directory, symlink, char, block, fifo, socket, other\)$/,
    ],
    [
      'a uid that is not a user id',
      withChange((data) => ((data.context as { uid: number }).uid = -1)),
      /: \/context\/uid must be >= 0$/,
    ],
    [
      'an environment variable that is not text',
      withChange((data) => ((data.context as { env: Record<string, unknown> }).env.PATH = 5)),
      /: \/context\/env\/PATH must be string$/,
    ],
    [
      'a file content that is not text',
      withChange((data) => (data.files = [{ path: '/etc/hostname', ok: true, content: { a: 1 } }])),
      /: \/files\/0\/content must be string$/,
    ],
    [
      'an unknown field',
      withChange((data) => ((data.context as Record<string, unknown>).shell = '/bin/sh')),
      /: \/context must NOT have additional properties \("shell"\)$/,
    ],
  ])('rejects %s with a clear message', (_what, text, message) => {
    expect(() => parseSnapshot(text, 'x.json', validateSnapshot)).toThrow(SnapshotError);
    expect(() => parseSnapshot(text, 'x.json', validateSnapshot)).toThrow(message);
  });
});
