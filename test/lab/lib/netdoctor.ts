import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { HOST_CHECKS } from '../../../checks/index.js';
import type { Report } from '../../../src/core/report.js';
import { LabError, baseEnv, brief, run } from './exec.js';
import { AS_USER, CNI_ENV, LAB_USER, LAB_USER_INSTALL, NETDOCTOR, ROOT, SNAPSHOT_DIR } from './paths.js';

/**
 * Who netdoctor runs as (and who runs the engine commands of a printed fix):
 * - root: rootful podman (netavark store) and docker;
 * - ndlab: the lab's rootless user, through test/lab/env/as-user.sh;
 * - cni: root with CONTAINERS_CONF / CONTAINERS_STORAGE_CONF of the lab's CNI store, as podman-cni.sh sets them.
 */
export type Identity = 'root' | 'ndlab' | 'cni';

export interface NetdoctorRun {
  report: Report;
  exitCode: number | null;
  durationMs: number;
  /** Where the snapshot and the report were written, when recording. */
  recorded?: string;
}

let labUid: number | undefined;

export async function ndlabUid(): Promise<number> {
  if (labUid === undefined) {
    const result = await run(['id', '-u', LAB_USER], { timeoutMs: 5000 });
    labUid = Number(result.stdout.trim());
    if (!Number.isInteger(labUid) || labUid <= 0) throw new LabError(`no user ${LAB_USER}: run test/lab/env/setup.sh`);
  }
  return labUid;
}

/**
 * The kernel's module checks read a whole kernel config (about 100 kB) and the lab cannot break them on this
 * kernel (no loadable modules): their fixtures are recorded apart, in test/fixtures/kernel.
 */
const KERNEL_MODULE_IDS: readonly string[] = [
  'kernel.netfilter_modules_missing',
  'rootless.netfilter_modules_not_preloaded',
];

/** Recorded runs are limited (--only) to these checks, so that a fixture does not carry a kernel config. */
export const RECORDED_CHECKS: readonly string[] = HOST_CHECKS.filter(
  (check) => !Object.keys(check.findings).some((id) => KERNEL_MODULE_IDS.includes(id)),
).map((check) => check.id);

/** Copies the built netdoctor (and its dependencies) where the lab user can run it; see LAB_USER_INSTALL. */
export async function installForLabUser(): Promise<void> {
  const steps = [
    ['rm', '-rf', LAB_USER_INSTALL],
    ['mkdir', '-p', LAB_USER_INSTALL],
    ['cp', '-a', `${ROOT}/package.json`, `${ROOT}/bin`, `${ROOT}/dist`, `${ROOT}/node_modules`, LAB_USER_INSTALL],
    ['chmod', '-R', 'a+rX', LAB_USER_INSTALL],
  ];
  for (const argv of steps) {
    const result = await run(argv, { timeoutMs: 120_000, env: baseEnv() });
    if (result.exitCode !== 0) throw new LabError(`installing netdoctor for ${LAB_USER} failed: ${brief(result, 300)}`);
  }
}

export function identityEnv(identity: Identity, extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv({ ...(identity === 'cni' ? CNI_ENV : {}), ...extra });
}

export interface NetdoctorOptions {
  /** Extra environment (a root identity with its own podman store). */
  env?: Record<string, string>;
  /** Record the snapshot and the report as test/fixtures/snapshots/lab/<record>.json and <record>.report.json. */
  record?: string;
  /** --only these checks. */
  only?: readonly string[];
  /** A subcommand (`why A B`) instead of the host diagnosis. */
  command?: readonly string[];
  /** Put before the whole command line (nsenter into a scenario's network namespace, the lab guest). */
  prefix?: readonly string[];
  /** Where the recording is written: a folder that the place the prefix leads to shares with the host. */
  scratch?: string;
  /** Default 120 s. */
  timeoutMs?: number;
  /**
   * The netdoctor to run: the checkout's bin/netdoctor for root, the lab user's copy for ndlab by default; in
   * a gen2 environment the copy bound into it, for both.
   */
  program?: string;
  /** Where `record` is saved (default test/fixtures/snapshots/lab). */
  snapshotDir?: string;
}

/**
 * Runs the real CLI (bin/netdoctor --json) as the scenario's identity; with `record`, netdoctor also writes its
 * snapshot (`--record`).
 */
export async function runNetdoctor(identity: Identity, options: NetdoctorOptions = {}): Promise<NetdoctorRun> {
  const {
    env: extraEnv = {},
    record,
    only,
    command = [],
    prefix = [],
    scratch = '/tmp',
    timeoutMs = 120_000,
    program,
    snapshotDir = SNAPSHOT_DIR,
  } = options;
  let argv: string[];
  let snapshotPath: string | undefined;
  let tmpDir: string | undefined;
  if (record !== undefined) {
    tmpDir = await mkdtemp(`${scratch}/ndl-record-`);
    snapshotPath = `${tmpDir}/snapshot.json`;
  }
  const recordArgs = [
    ...(snapshotPath !== undefined ? ['--record', snapshotPath] : []),
    ...(only !== undefined ? ['--only', only.join(',')] : []),
  ];
  if (identity === 'ndlab') {
    if (tmpDir !== undefined) await chown(tmpDir, await ndlabUid(), await ndlabUid());
    argv = [
      ...prefix,
      AS_USER,
      LAB_USER,
      process.execPath,
      program ?? `${LAB_USER_INSTALL}/bin/netdoctor`,
      ...command,
      '--json',
      ...recordArgs,
    ];
  } else {
    argv = [...prefix, process.execPath, program ?? NETDOCTOR, ...command, '--json', ...recordArgs];
  }
  try {
    const result = await run(argv, { timeoutMs, env: identityEnv(identity, extraEnv) });
    if (result.exitCode === null || result.exitCode > 2)
      throw new LabError(`netdoctor as ${identity} failed (${brief(result, 300)})`);
    let report: Report;
    try {
      report = JSON.parse(result.stdout) as Report;
    } catch (error) {
      throw new LabError(
        `netdoctor as ${identity} printed no JSON report (${(error as Error).message}): ${brief(result, 200)}`,
      );
    }
    const outcome: NetdoctorRun = { report, exitCode: result.exitCode, durationMs: result.durationMs };
    if (record !== undefined && snapshotPath !== undefined) {
      await mkdir(snapshotDir, { recursive: true });
      const target = `${snapshotDir}/${record}`;
      await writeFile(`${target}.json`, await readFile(snapshotPath, 'utf8'));
      await writeFile(`${target}.report.json`, result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`);
      outcome.recorded = `${target}.json`;
    }
    return outcome;
  } finally {
    if (tmpDir !== undefined) await rm(tmpDir, { recursive: true, force: true });
  }
}
