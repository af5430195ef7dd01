import { expect } from 'vitest';
import check from '../../../checks/kernel/netfilter-modules.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { hostSnapshot, kernelView } from '../../helpers/recordings.js';

const ID = 'kernel.netfilter_modules_missing';

// Debian 12's kernel (modular netfilter), booted in the lab guest; this VM's own kernel has everything built in.
checkCases(check, [
  // It reports the features whose modules are neither loaded nor installed.
  {
    on: kernelView('kernel-modules-missing'),
    shows: [
      {
        id: ID,
        severity: 'error',
        title: /br_netfilter/,
        evidence: startingWith({
          what: '/boot/config-6.1.0-56-amd64',
          excerpt: expect.stringContaining('CONFIG_BRIDGE_NETFILTER=m; br_netfilter is neither loaded nor installed'),
        }),
        fix: { commands: startingWith('apt-get install --reinstall linux-image-6.1.0-56-amd64') },
      },
    ],
    nothingElse: true,
  },
  // Loaded or not, modules in the module tree are there when needed.
  { on: kernelView('kernel-modules-loadable'), result: { status: 'pass' } },
  { on: kernelView('rootless-nft-autoload'), result: { status: 'pass' } },
  { on: kernelView('rootless-modules-not-preloaded'), result: { status: 'pass' } },
  // Missing modules stay this check's, also for a rootless user.
  {
    on: kernelView('rootless-modules-missing'),
    shows: [{ id: ID, severity: 'error', title: /ip_tables, iptable_filter, iptable_nat$/ }],
    nothingElse: true,
  },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootless'), passes: true },
]);
