import { describe, expect, it } from 'vitest';
import {
  PODMAN_INFO,
  PODMAN_NETWORKS,
  parsePodmanContainers,
  parsePodmanInfo,
  parsePodmanNetworks,
  parseSubordinateIds,
} from '../../src/facts/podman.js';
import { shellLine } from '../../src/core/shell.js';
import { expectEngineOutputError } from '../helpers/engine-output.js';
import { fixtureText } from '../helpers/recordings.js';
import { SNAPSHOT_NAMES, recordedCommand, recordedFile, recordedSnapshot } from '../helpers/recorded.js';

// Engine output here is only ever what the lab host printed (test/fixtures/snapshots), never typed by hand.
const rootful = recordedSnapshot('healthy-rootful-netavark-docker');
const cni = recordedSnapshot('healthy-rootful-cni-docker');
const rootless = recordedSnapshot('healthy-rootless');

describe('parsePodmanInfo', () => {
  it('reads rootful podman 4.3.1 on netavark', () => {
    expect(parsePodmanInfo(recordedCommand(rootful, PODMAN_INFO).stdout)).toEqual({
      version: '4.3.1',
      rootless: false,
      networkBackend: 'netavark',
      slirp4netnsExecutable: '/usr/bin/slirp4netns',
      rootlessNetworkCmd: '',
      pastaExecutable: '',
      graphRoot: '/var/lib/containers/storage',
    });
  });

  it("reads podman 5.4.2's rootless network command and pasta, without slirp4netns (Debian 13)", () => {
    const info = parsePodmanInfo(fixtureText('gen2-raw/baseline-rootless/rootless-podman-info.json'));
    expect(info).toMatchObject({
      version: '5.4.2',
      rootless: true,
      networkBackend: 'netavark',
      rootlessNetworkCmd: 'pasta',
      networkBackendVersion: 'netavark 1.14.0',
      pastaExecutable: '/usr/bin/pasta',
      slirp4netnsExecutable: '',
    });
  });

  it('reads the CNI backend and the store that CONTAINERS_STORAGE_CONF chose', () => {
    expect(parsePodmanInfo(recordedCommand(cni, PODMAN_INFO).stdout)).toMatchObject({
      networkBackend: 'cni',
      rootless: false,
      graphRoot: '/var/lib/netdoctor-lab/cni-storage',
    });
  });

  it("reads rootless podman and the user's own store", () => {
    expect(parsePodmanInfo(recordedCommand(rootless, PODMAN_INFO).stdout)).toMatchObject({
      rootless: true,
      networkBackend: 'netavark',
      slirp4netnsExecutable: '/usr/bin/slirp4netns',
      graphRoot: '/home/ndlab/.local/share/containers/storage',
    });
  });

  it('refuses JSON that has no version', () => {
    // `podman network ls` output is real podman JSON, just not that of `podman info`.
    expect(() => parsePodmanInfo(recordedCommand(rootful, PODMAN_NETWORKS).stdout)).toThrow(
      '`podman info` printed no version',
    );
  });

  it('throws EngineOutputError naming the command for output that is not JSON', () => {
    expectEngineOutputError(
      () => parsePodmanInfo('Error: could not find slirp4netns'),
      '`podman info --format json` printed output that is not JSON',
    );
  });
});

describe('parsePodmanNetworks', () => {
  it.each([
    ['healthy-rootful-netavark-docker', 'rootful', 'podman0'],
    ['healthy-rootful-cni-docker', 'rootful', 'cni-podman0'],
    ['healthy-rootless', 'rootless', 'podman0'],
  ] as const)('reads the default network of %s podman, which has no DNS', (name, scope, bridge) => {
    const networks = parsePodmanNetworks(
      recordedCommand(recordedSnapshot(name), PODMAN_NETWORKS).stdout,
      shellLine(PODMAN_NETWORKS),
      scope,
    );
    expect(networks).toEqual([
      {
        engine: 'podman',
        scope,
        name: 'podman',
        id: '2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9',
        driver: 'bridge',
        subnets: [{ subnet: '10.88.0.0/16', gateway: '10.88.0.1' }],
        bridge,
        dnsEnabled: false,
        internal: false,
        isDefault: true,
        options: {},
      },
    ]);
  });

  it('throws EngineOutputError naming the command for output that is not JSON', () => {
    expectEngineOutputError(
      () => parsePodmanNetworks('[{"name": "podman",', 'podman network ls --format json', 'rootful'),
      '`podman network ls --format json` printed output that is not JSON',
    );
  });
});

// Only the inspect output of running containers feeds this parser, and no container ran when the healthy
// snapshots were recorded: this runs once the lab records a snapshot with running containers.
const containerInspects = SNAPSHOT_NAMES.flatMap((name) =>
  recordedSnapshot(name)
    .commands.filter(
      (command) => command.argv[0] === 'podman' && command.argv[1] === 'container' && command.argv[2] === 'inspect',
    )
    .map((command) => ({
      command,
      scope: recordedSnapshot(name).context.uid === 0 ? ('rootful' as const) : ('rootless' as const),
    })),
);

describe('parsePodmanContainers', () => {
  it.skipIf(containerInspects.length === 0)(
    'reads every container podman listed as running (needs a snapshot with running containers)',
    () => {
      for (const { command, scope } of containerInspects) {
        const containers = parsePodmanContainers(command.stdout, shellLine(command.argv), scope);
        expect(containers.map((container) => container.id)).toEqual(command.argv.slice(3));
        for (const container of containers) expect(container).toMatchObject({ engine: 'podman', scope });
      }
    },
  );

  it('throws EngineOutputError naming the command for output that is not JSON', () => {
    expectEngineOutputError(
      () => parsePodmanContainers('', 'podman container inspect 4f2a', 'rootless'),
      '`podman container inspect 4f2a` printed nothing',
    );
  });
});

describe('parseSubordinateIds', () => {
  it('reads the users of /etc/subuid', () => {
    expect(parseSubordinateIds(recordedFile(rootful, '/etc/subuid').content)).toEqual(['ndlab']);
  });

  it('skips comments and blank lines and names each user once', () => {
    expect(parseSubordinateIds('# users\n\nndlab:100000:65536\nalice:165536:65536\nndlab:231072:65536\n')).toEqual([
      'ndlab',
      'alice',
    ]);
  });
});
