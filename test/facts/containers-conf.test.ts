import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CNI_PLUGIN_DIRS,
  DEFAULT_HELPER_BINARIES_DIRS,
  containersConf,
  containersConfCandidates,
  mergeContainersConf,
} from '../../src/facts/containers-conf.js';
import { Facts } from '../../src/core/facts.js';
import { FakeHost } from '../helpers/fake-host.js';
import { recordedFile, recordedSnapshot } from '../helpers/recorded.js';

// The lab's CNI containers.conf, read by the run that recorded the CNI snapshot (CONTAINERS_CONF names it).
const cni = recordedSnapshot('healthy-rootful-cni-docker');
const LAB_CONF = '/etc/netdoctor-lab/cni/containers.conf';
const labConf = { path: LAB_CONF, data: parseToml(recordedFile(cni, LAB_CONF).content) as Record<string, unknown> };

describe('mergeContainersConf', () => {
  it('reads the backend, capabilities and sysctls of a recorded containers.conf, with where each came from', () => {
    expect(mergeContainersConf([labConf], [])).toEqual({
      files: [LAB_CONF],
      problems: [],
      networkBackend: 'cni',
      helperBinariesDirs: DEFAULT_HELPER_BINARIES_DIRS,
      cniPluginDirs: DEFAULT_CNI_PLUGIN_DIRS,
      defaultCapabilities: [
        'CHOWN',
        'DAC_OVERRIDE',
        'FOWNER',
        'FSETID',
        'KILL',
        'NET_BIND_SERVICE',
        'SETFCAP',
        'SETGID',
        'SETPCAP',
        'SETUID',
        'SYS_CHROOT',
      ],
      defaultSysctls: ['net.ipv4.ping_group_range=0 0'],
      origin: { network_backend: LAB_CONF, default_capabilities: LAB_CONF, default_sysctls: LAB_CONF },
    });
  });

  it('lets a later file override an earlier one key by key, and keeps the rest', () => {
    const override = {
      path: '/home/ndlab/.config/containers/containers.conf',
      data: parseToml('[network]\nnetwork_backend = "netavark"\ncni_plugin_dirs = ["/opt/cni/bin"]\n'),
    };
    const merged = mergeContainersConf(
      [labConf, override],
      ['/etc/containers/containers.conf.d/x.conf: permission denied'],
    );
    expect(merged).toMatchObject({
      files: [LAB_CONF, override.path],
      problems: ['/etc/containers/containers.conf.d/x.conf: permission denied'],
      networkBackend: 'netavark',
      cniPluginDirs: ['/opt/cni/bin'],
      defaultSysctls: ['net.ipv4.ping_group_range=0 0'],
      origin: { network_backend: override.path, cni_plugin_dirs: override.path, default_sysctls: LAB_CONF },
    });
  });
});

describe('containersConf', () => {
  it('reads only the file CONTAINERS_CONF names when it is set', async () => {
    const host = new FakeHost({ snapshot: cni });
    expect((await new Facts(host).get(containersConf)).files).toEqual([LAB_CONF]);
    expect(host.requests).toEqual([`readFile ${LAB_CONF}`]);
  });

  it('reports a file that is not TOML and goes on without it', async () => {
    const host = new FakeHost({ snapshot: cni, files: { [LAB_CONF]: '[network\nnetwork_backend = "cni"\n' } });
    const conf = await new Facts(host).get(containersConf);
    expect(conf.files).toEqual([]);
    expect(conf.problems).toEqual([expect.stringMatching(`^${LAB_CONF} is not valid TOML: `)]);
    expect(conf.networkBackend).toBeUndefined();
  });

  it("reads the system chain, then the user's files for a rootless user", () => {
    expect(containersConfCandidates(recordedSnapshot('healthy-rootless').context)).toEqual({
      files: [
        '/usr/share/containers/containers.conf',
        '/etc/containers/containers.conf',
        '/home/ndlab/.config/containers/containers.conf',
      ],
      dirs: ['/etc/containers/containers.conf.d', '/home/ndlab/.config/containers/containers.conf.d'],
    });
    expect(containersConfCandidates(recordedSnapshot('healthy-rootful-netavark-docker').context)).toEqual({
      files: ['/usr/share/containers/containers.conf', '/etc/containers/containers.conf'],
      dirs: ['/etc/containers/containers.conf.d'],
    });
  });
});
