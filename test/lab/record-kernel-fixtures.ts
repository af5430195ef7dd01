/**
 * Records the kernel-module fixtures of test/fixtures/kernel in the lab guest (lib/guest.ts): `netdoctor --record`
 * of the two kernel checks, as root and as ndlab, on Debian 12's own kernel with and without its module tree and
 * with either iptables flavour. Run as root after `npm run test:lab` built it: node dist/test/lab/record-kernel-
 * fixtures.js
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { LabError, brief, ok, run } from './lib/exec.js';
import { GUEST_RUN_LIMIT_MS, Guest, type GuestView } from './lib/guest.js';
import { installForLabUser } from './lib/netdoctor.js';
import { AS_USER, LAB_USER, LAB_USER_INSTALL, NETDOCTOR, ROOT } from './lib/paths.js';
import { takeLabRunLock } from './lib/run-lock.js';
import { GUEST_TIMEOUTS, KERNEL_CHECK, ROOTLESS_CHECK } from './scenarios/kernel-common.js';

const FIXTURES = `${ROOT}/test/fixtures/kernel`;

interface Recording {
  name: string;
  as: 'root' | 'ndlab';
  flavour: 'nft' | 'legacy';
}

const PLAN: Record<GuestView, Recording[]> = {
  missing: [
    { name: 'kernel-modules-missing', as: 'root', flavour: 'nft' },
    { name: 'rootless-modules-missing', as: 'ndlab', flavour: 'legacy' },
  ],
  loadable: [
    { name: 'kernel-modules-loadable', as: 'root', flavour: 'nft' },
    { name: 'rootless-nft-autoload', as: 'ndlab', flavour: 'nft' },
    { name: 'rootless-modules-not-preloaded', as: 'ndlab', flavour: 'legacy' },
  ],
};

async function must(guest: Guest, argv: string[]): Promise<string> {
  const result = await run([...guest.prefix(), ...argv], { timeoutMs: GUEST_RUN_LIMIT_MS });
  if (!ok(result) && !(argv.includes('--record') && result.exitCode !== null && result.exitCode <= 2))
    throw new LabError(`\`${argv.join(' ')}\` in the guest: ${brief(result, 300)}`);
  return result.stdout;
}

async function record(guest: Guest, recording: Recording): Promise<void> {
  for (const tool of ['iptables', 'ip6tables'])
    await must(guest, ['update-alternatives', '--set', tool, `/usr/sbin/${tool}-${recording.flavour}`]);
  const snapshot = `${guest.job}/${recording.name}.json`;
  const netdoctor =
    recording.as === 'root'
      ? [process.execPath, NETDOCTOR]
      : [AS_USER, LAB_USER, process.execPath, `${LAB_USER_INSTALL}/bin/netdoctor`];
  if (recording.as === 'ndlab') await must(guest, ['install', '-d', '-o', LAB_USER, guest.job + '/ndlab']);
  const target = recording.as === 'root' ? snapshot : `${guest.job}/ndlab/${recording.name}.json`;
  const report = await must(guest, [
    ...netdoctor,
    '--only',
    `${KERNEL_CHECK},${ROOTLESS_CHECK}`,
    ...GUEST_TIMEOUTS,
    '--json',
    '--record',
    target,
  ]);
  await copyFile(target, `${FIXTURES}/${recording.name}.json`);
  await writeFile(`${FIXTURES}/${recording.name}.report.json`, report.endsWith('\n') ? report : `${report}\n`);
  const findings = (
    JSON.parse(await readFile(`${FIXTURES}/${recording.name}.report.json`, 'utf8')) as { findings: { id: string }[] }
  ).findings.map((finding) => finding.id);
  console.log(
    `${recording.name}: ${guest.release} (${guest.view}), ${recording.as}, iptables-${recording.flavour}: ${findings.join(', ') || 'no findings'}`,
  );
}

// The copy for the lab user is the one a lab run uses, and two guests at once would share the host's CPUs.
const lock = await takeLabRunLock((line) => console.log(line));
if (lock.held === 'no') {
  console.error(`record-kernel-fixtures: ${lock.detail}`);
  process.exit(1);
}
await installForLabUser();
for (const view of ['missing', 'loadable'] as const) {
  const guest = await Guest.start(view);
  try {
    await must(guest, [AS_USER, LAB_USER, 'podman', 'network', 'create', 'ndl-kmod']);
    for (const recording of PLAN[view]) await record(guest, recording);
  } finally {
    await guest.stop();
  }
}
