import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import {
  featureStatus,
  featuresFor,
  flavourOfBinary,
  kernelModules,
  parseKernelConfig,
  parseModulesDep,
} from '../../src/facts/kernel.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { FakeHost } from '../helpers/fake-host.js';
import { recordedFile, recordedStdout } from '../helpers/recorded.js';
import { hostSnapshot, kernelView, snapshotOf } from '../helpers/recordings.js';

// The live host as root while another session's lab ran (test/fixtures/snapshots/README.md).
const live = snapshotOf(hostSnapshot('live-root-icc-off'));

describe('kernel config and modules', () => {
  const missing = snapshotOf(kernelView('kernel-modules-missing'));
  const loadable = snapshotOf(kernelView('kernel-modules-loadable'));

  it("reads this VM's config: no module support, everything built in", () => {
    const options = parseKernelConfig(recordedStdout(live, ['gzip', '-dc', '/proc/config.gz']).stdout);
    expect(options.get('CONFIG_MODULES')).toBeUndefined();
    expect(options.get('CONFIG_BRIDGE')).toBe('y');
    expect(options.get('CONFIG_DUMMY')).toBeUndefined();
  });

  it("reads Debian 12's config, where the netfilter features are modules, and its modules.dep", () => {
    const options = parseKernelConfig(recordedFile(missing, '/boot/config-6.1.0-56-amd64').content);
    expect(options.get('CONFIG_MODULES')).toBe('y');
    expect(options.get('CONFIG_BRIDGE_NETFILTER')).toBe('m');
    const installed = parseModulesDep(recordedFile(loadable, '/lib/modules/6.1.0-56-amd64/modules.dep').content);
    expect(
      [...installed].filter((name) => ['br_netfilter', 'xt_MASQUERADE', 'nft_chain_nat', 'veth'].includes(name)).sort(),
    ).toEqual(['br_netfilter', 'nft_chain_nat', 'veth', 'xt_MASQUERADE']);
  });

  it('tells built in, loaded, loadable and missing apart', async () => {
    const states = async (snapshot: Snapshot) => {
      const host = new FakeHost({ snapshot });
      const view = await new Facts(host).get(kernelModules);
      if (!view.ok) throw new Error(view.reason);
      const [features = []] = featuresFor('nft');
      return Object.fromEntries(
        ['bridge', 'br_netfilter', 'nf_tables'].map((module) => [
          module,
          featureStatus(
            view,
            features.find((feature) => feature.module === module)!,
          ).state,
        ]),
      );
    };
    expect(await states(live)).toEqual({ bridge: 'built-in', br_netfilter: 'built-in', nf_tables: 'built-in' });
    expect(await states(loadable)).toEqual({ bridge: 'loadable', br_netfilter: 'loadable', nf_tables: 'loadable' });
    expect(await states(missing)).toEqual({ bridge: 'missing', br_netfilter: 'missing', nf_tables: 'missing' });
  });

  it('reads the iptables flavour from the binary iptables resolves to', () => {
    expect(flavourOfBinary(recordedStdout(loadable, ['readlink', '-f', '/usr/sbin/iptables']).stdout.trim())).toBe(
      'nft',
    );
    expect(
      flavourOfBinary(
        recordedStdout(snapshotOf(kernelView('rootless-modules-not-preloaded')), [
          'readlink',
          '-f',
          '/usr/sbin/iptables',
        ]).stdout.trim(),
      ),
    ).toBe('legacy');
    expect(flavourOfBinary('/usr/sbin/iptables')).toBe('unknown');
    expect(featuresFor('unknown')).toHaveLength(2);
  });
});
