import { describe, expect, it } from 'vitest';
import {
  DOCKER_INFO,
  classifyDockerFailure,
  parseDockerContainers,
  parseDockerInfo,
  parseDockerNetworks,
  serverErrorOf,
} from '../../src/facts/docker.js';
import { EngineOutputError } from '../../src/facts/model.js';
import type { CommandResult } from '../../src/core/host.js';
import { expectEngineOutputError } from '../helpers/engine-output.js';
import { SNAPSHOT_NAMES, recordedCommand, recordedSnapshot, recordedStdout } from '../helpers/recorded.js';
import { gen2State, snapshotOf } from '../helpers/recordings.js';

// Engine output here is only ever what the lab host printed (test/fixtures/snapshots), never typed by hand.
const rootful = recordedSnapshot('healthy-rootful-netavark-docker');
const rootless = recordedSnapshot('healthy-rootless');

describe('parseDockerInfo', () => {
  it('reads the versions, the rootless flag, forwarding and warnings of dockerd 20.10 seen by a 28.x client', () => {
    expect(parseDockerInfo(recordedCommand(rootful, DOCKER_INFO).stdout)).toEqual({
      serverVersion: '20.10.24+dfsg1',
      clientVersion: '28.2.2',
      rootless: false,
      ipv4Forwarding: true,
      warnings: [],
    });
  });

  it('refuses what a client prints when it could not reach the daemon: JSON with no server version', () => {
    const refused = recordedCommand(rootless, DOCKER_INFO);
    expect(refused.exitCode).toBe(1);
    expect(() => parseDockerInfo(refused.stdout)).toThrow(
      new EngineOutputError('`docker info` printed no server version'),
    );
  });

  it("finds the daemon's error where docker 26 puts it when it exits 0 without a daemon (ServerErrors)", () => {
    const denied = recordedCommand(snapshotOf(gen2State('baseline-rootless.healthy')), DOCKER_INFO);
    expect(denied.exitCode).toBe(0);
    expect(serverErrorOf(denied.stdout)).toMatch(
      /^permission denied while trying to connect to the Docker daemon socket at unix:\/\/\/var\/run\/docker\.sock: /,
    );
    expect(serverErrorOf(recordedCommand(rootful, DOCKER_INFO).stdout)).toBeUndefined();
  });

  it.each([
    [
      'output that is not JSON',
      '{"ServerVersion": ',
      "`docker info --format '{{json .}}'` printed output that is not JSON",
    ],
    ['no output', '\n', "`docker info --format '{{json .}}'` printed nothing"],
  ])('throws EngineOutputError naming the command for %s', (_what, stdout, message) => {
    expectEngineOutputError(() => parseDockerInfo(stdout), message);
  });
});

describe('classifyDockerFailure', () => {
  it('sees permission denied on the socket in what the CLI printed', () => {
    const refused = recordedCommand(rootless, DOCKER_INFO);
    expect(classifyDockerFailure(refused, true)).toEqual({
      cause: 'permission-denied',
      reason: `permission denied on the docker socket: ${refused.stderr.trim()}`,
    });
  });

  // Not engine output: what LiveHost itself reports when the CLI hangs or cannot be started.
  it('calls a command that timed out a hanging daemon, and a command that could not start an error', () => {
    const base: CommandResult = {
      argv: DOCKER_INFO,
      exitCode: null,
      stdout: '',
      stderr: '',
      durationMs: 8000,
      timedOut: false,
    };
    expect(
      classifyDockerFailure(
        { ...base, timedOut: true, error: { code: 'ETIMEDOUT', message: 'timed out after 8000 ms' } },
        true,
      ),
    ).toEqual({
      cause: 'timeout',
      reason: '`docker info` did not answer within 8 s: the daemon hangs',
    });
    expect(classifyDockerFailure({ ...base, error: { code: 'EACCES', message: 'spawn docker EACCES' } }, true)).toEqual(
      {
        cause: 'error',
        reason: 'docker could not be run: spawn docker EACCES',
      },
    );
  });
});

describe('parseDockerNetworks', () => {
  const inspect = recordedStdout(rootful, ['docker', 'network', 'inspect']);
  const networks = parseDockerNetworks(inspect.stdout, inspect.command);

  it('reads every network the daemon listed', () => {
    const listed = recordedCommand(rootful, ['docker', 'network', 'ls', '--no-trunc', '--quiet'])
      .stdout.trim()
      .split('\n');
    expect(networks.map((network) => network.id).sort()).toEqual([...listed].sort());
    expect(networks.map((network) => [network.name, network.driver])).toEqual([
      ['bridge', 'bridge'],
      ['host', 'host'],
      ['none', 'null'],
    ]);
  });

  it('sees the default bridge: docker0, its subnet, no DNS', () => {
    expect(networks[0]).toMatchObject({
      engine: 'docker',
      scope: 'rootful',
      bridge: 'docker0',
      subnets: [{ subnet: '172.17.0.0/16', gateway: '172.17.0.1' }],
      dnsEnabled: false,
      internal: false,
      isDefault: true,
    });
    expect(networks[0]?.options['com.docker.network.bridge.enable_icc']).toBe('true');
  });

  it('gives the host and none networks no bridge, no DNS and no subnet', () => {
    for (const network of networks.slice(1)) {
      expect(network).toMatchObject({ dnsEnabled: false, isDefault: false, subnets: [] });
      expect(network.bridge).toBeUndefined();
    }
  });

  it('throws EngineOutputError naming the command for output that is not JSON', () => {
    expectEngineOutputError(
      () => parseDockerNetworks(inspect.stdout.slice(0, 100), inspect.command),
      `\`${inspect.command}\` printed output that is not JSON`,
    );
  });
});

// Only the inspect output of running containers feeds this parser, and no container ran when the healthy
// snapshots were recorded: this runs once the lab records a snapshot with running containers.
const containerInspects = SNAPSHOT_NAMES.flatMap((name) =>
  recordedSnapshot(name).commands.filter(
    (command) => command.argv[0] === 'docker' && command.argv[1] === 'container' && command.argv[2] === 'inspect',
  ),
);

describe('parseDockerContainers', () => {
  it.skipIf(containerInspects.length === 0)(
    'reads every container the daemon listed as running (needs a snapshot with running containers)',
    () => {
      for (const inspect of containerInspects) {
        const containers = parseDockerContainers(inspect.stdout, inspect.argv.join(' '));
        expect(containers.map((container) => container.id)).toEqual(inspect.argv.slice(3));
        for (const container of containers) {
          expect(container).toMatchObject({ engine: 'docker', scope: 'rootful' });
          expect(container.name).not.toMatch(/^\//);
        }
      }
    },
  );

  it('throws EngineOutputError naming the command for output that is not JSON', () => {
    expectEngineOutputError(
      () => parseDockerContainers('Error: No such container: 4f2a', 'docker container inspect 4f2a'),
      '`docker container inspect 4f2a` printed output that is not JSON',
    );
  });
});
