import { describe, expect, it } from 'vitest';
import { cniConfig, defaultCniConfigDir, parseConflist } from '../../src/facts/cni.js';
import { Facts } from '../../src/core/facts.js';
import { ENOENT, FakeHost } from '../helpers/fake-host.js';
import { recordedFile, recordedSnapshot } from '../helpers/recorded.js';

const cni = recordedSnapshot('healthy-rootful-cni-docker');
const CONFLIST = '/etc/cni/net.d/87-podman-bridge.conflist';

describe('parseConflist', () => {
  it("reads the name, the plugin types and the bridge of Debian's default conflist", () => {
    expect(parseConflist(CONFLIST, recordedFile(cni, CONFLIST).content)).toEqual({
      path: CONFLIST,
      name: 'podman',
      pluginTypes: ['bridge', 'portmap', 'firewall', 'tuning'],
      bridge: 'cni-podman0',
    });
  });

  it('throws on a conflist that is not JSON', () => {
    expect(() => parseConflist(CONFLIST, recordedFile(cni, CONFLIST).content.slice(0, 50))).toThrow(SyntaxError);
  });
});

describe('cniConfig', () => {
  it('lists the conflists of the folder that containers.conf names or the default one, and nothing else', async () => {
    const host = new FakeHost({ snapshot: cni });
    const config = await new Facts(host).get(cniConfig);
    expect(config).toEqual({
      dir: '/etc/cni/net.d',
      conflists: [parseConflist(CONFLIST, recordedFile(cni, CONFLIST).content)],
      invalid: [],
    });
    // cni.lock sits in the folder too: it is no conflist and is not read.
    expect(host.requests.filter((request) => request.startsWith('readFile /etc/cni'))).toEqual([
      `readFile ${CONFLIST}`,
    ]);
  });

  it('counts a conflist that is not JSON as invalid, and a missing folder as no network', async () => {
    const broken = new FakeHost({ snapshot: cni, files: { [CONFLIST]: '{"cniVersion": ' } });
    expect(await new Facts(broken).get(cniConfig)).toMatchObject({
      conflists: [],
      invalid: [expect.stringMatching(`^${CONFLIST}: `)],
    });
    const missing = new FakeHost({ snapshot: cni, dirs: { '/etc/cni/net.d': ENOENT } });
    expect(await new Facts(missing).get(cniConfig)).toEqual({
      dir: '/etc/cni/net.d',
      conflists: [],
      invalid: [],
      problem: undefined,
    });
  });

  it("uses the user's own folder for rootless podman", () => {
    const rootless = recordedSnapshot('healthy-rootless').context;
    expect(defaultCniConfigDir(rootless)).toBe('/home/ndlab/.config/cni/net.d');
    expect(defaultCniConfigDir({ ...rootless, env: { ...rootless.env, XDG_CONFIG_HOME: '/srv/ndlab/config' } })).toBe(
      '/srv/ndlab/config/cni/net.d',
    );
    expect(defaultCniConfigDir(cni.context)).toBe('/etc/cni/net.d');
  });
});
