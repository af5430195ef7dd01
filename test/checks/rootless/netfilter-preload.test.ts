import check from '../../../checks/rootless/netfilter-preload.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { hostSnapshot, kernelView } from '../../helpers/recordings.js';

const ID = 'rootless.netfilter_modules_not_preloaded';

// Debian 12's kernel (modular netfilter), booted in the lab guest with ndlab's bridge network ndl-kmod.
checkCases(check, [
  // Under iptables-legacy, ip_tables waits for root to load it.
  {
    on: kernelView('rootless-modules-not-preloaded'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootless', user: 'ndlab', network: 'ndl-kmod' },
        title: 'ip_tables, ip6_tables are not loaded, and ndlab cannot load them: rootless networks ndl-kmod fail',
        fix: { commands: startingWith('modprobe -a ip_tables ip6_tables') },
      },
    ],
    nothingElse: true,
  },
  // Under iptables-nft the kernel loads the modules on request (the guest proved it for ndlab).
  { on: kernelView('rootless-nft-autoload'), gone: [ID], result: { status: 'pass', summary: /xtables-nft-multi/ } },
  // Missing modules are left to kernel.netfilter-modules.
  { on: kernelView('rootless-modules-missing'), gone: [ID], result: { status: 'pass' } },
  {
    on: kernelView('kernel-modules-missing'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^running as root diagnoses rootful podman/ },
  },
  {
    on: hostSnapshot('healthy-rootless'),
    result: { status: 'skip', skip: 'not_applicable', reason: /^ndlab has no bridge network of their own/ },
  },
  // As root it does not apply: rootless checks are diagnosed as each user, and it names them.
  { on: hostSnapshot('live-root-icc-off'), result: { status: 'skip', skip: 'not_applicable', reason: /ndlab/ } },
]);
