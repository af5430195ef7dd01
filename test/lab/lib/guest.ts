/**
 * The lab guest: Debian 12's own kernel (netfilter features as loadable modules) booted under QEMU on this host's
 * root filesystem, for the diagnoses this VM's kernel cannot produce (it has every feature built in and cannot
 * load modules). The guest sees the host's files read-only with a tmpfs over them, so nothing it does reaches
 * the host; test/lab/env/guest/ builds it and explains the boot. Commands reach it through guest-exec.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { LabError, sleep } from './exec.js';
import { POWEROFF_FILE, READY_FILE } from './guest-protocol.js';
import { LAB_RUN, LAB_STATE, ROOT } from './paths.js';

/** loadable: the kernel's module tree is installed; missing: it is not (removed while the kernel runs). */
export type GuestView = 'loadable' | 'missing';

/** What runs as PID 1: the agent alone (the default), or systemd with the agent as its service (logind, users). */
export type GuestInit = 'agent' | 'systemd';

export const GUEST_DIR = `${LAB_STATE}/guest`;
const AGENT = `${ROOT}/dist/test/lab/guest-agent.js`;
const GUEST_EXEC = `${ROOT}/dist/test/lab/guest-exec.js`;
/** A command run through guest-exec: its 240 s in the guest, and the time to hand it over. */
export const GUEST_RUN_LIMIT_MS = 270_000;
/** Boot (about 6 s) and the agent's start under emulation; systemd's boot takes 2 minutes on a busy host. */
const READY_LIMIT_MS = { agent: 120_000, systemd: 360_000 };

/** Guests of a run that was killed (QEMU and their job folders): ended and removed. Returns what it did. */
export async function stopStaleGuests(): Promise<string[]> {
  const stopped: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[0]?.endsWith('qemu-system-x86_64') && argv.some((arg) => arg.includes(`ndl.job=${LAB_RUN}/guest-`))) {
      process.kill(Number(pid), 'SIGKILL');
      stopped.push(`lab guest (QEMU pid ${pid})`);
    }
  }
  for (const name of (await readdir(LAB_RUN).catch(() => [] as string[])).filter((entry) =>
    entry.startsWith('guest-'),
  )) {
    await rm(`${LAB_RUN}/${name}`, { recursive: true, force: true });
    stopped.push(`${LAB_RUN}/${name}`);
  }
  return stopped;
}

export class Guest {
  private constructor(
    readonly view: GuestView,
    readonly release: string,
    /** Shared with the guest at the same path. */
    readonly job: string,
    private readonly qemu: ChildProcess,
  ) {}

  /** The module tree of the guest's kernel, on the host (the package extracted). */
  get moduleTree(): string {
    return `${GUEST_DIR}/root/lib/modules/${this.release}`;
  }

  /** Put before a command to run it in the guest (as root there; as-user.sh works inside too). */
  prefix(): string[] {
    return [process.execPath, GUEST_EXEC, this.job, '--'];
  }

  static async start(view: GuestView, init: GuestInit = 'agent'): Promise<Guest> {
    const release = (await readFile(`${GUEST_DIR}/release`, 'utf8').catch(() => '')).trim();
    if (release === '') throw new LabError(`no guest kernel in ${GUEST_DIR}: run test/lab/env/setup.sh`);
    const job = await mkdtemp(`${LAB_RUN}/guest-`);
    // The lab user writes its recordings below it, in the guest.
    await chmod(job, 0o755);
    const consoleLog = await open(`${job}/console.log`, 'w');
    const cmdline = [
      'console=ttyS0',
      'quiet',
      'panic=-1',
      `ndl.view=${view}`,
      `ndl.kernel=${GUEST_DIR}/root`,
      `ndl.job=${job}`,
      `ndl.node=${process.execPath}`,
      `ndl.agent=${AGENT}`,
      ...(init === 'systemd' ? ['ndl.init=systemd'] : []),
    ];
    // TCG, not KVM: this VM exposes /dev/kvm, but a nested guest hangs in its BIOS.
    const qemu = spawn(
      'qemu-system-x86_64',
      [
        '-accel',
        'tcg',
        '-m',
        '2048',
        '-smp',
        '2',
        '-nographic',
        '-no-reboot',
        '-nic',
        'none',
        '-kernel',
        `${GUEST_DIR}/root/boot/vmlinuz-${release}`,
        '-initrd',
        `${GUEST_DIR}/initrd.gz`,
        '-append',
        cmdline.join(' '),
        '-virtfs',
        'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
        '-virtfs',
        `local,path=${job},mount_tag=job,security_model=none,multidevs=remap`,
      ],
      { detached: true, stdio: ['ignore', consoleLog.fd, consoleLog.fd] },
    );
    await consoleLog.close();
    const guest = new Guest(view, release, job, qemu);
    const deadline = Date.now() + READY_LIMIT_MS[init];
    while (Date.now() < deadline) {
      if (
        await stat(`${job}/${READY_FILE}`).then(
          () => true,
          () => false,
        )
      )
        return guest;
      if (qemu.exitCode !== null || qemu.signalCode !== null) break;
      await sleep(250);
    }
    const log = await guest.log();
    await guest.stop();
    throw new LabError(`the guest (${release}, ${view}, ${init}) did not start its agent: ${log}`);
  }

  /** The end of the console and of the agent's log, for messages. */
  async log(): Promise<string> {
    const tail = async (file: string) =>
      (await readFile(`${this.job}/${file}`, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');
    return `console: ${await tail('console.log')}; agent: ${await tail('agent.log')}`;
  }

  /** Asks the agent to power the guest off, waits at most 20 s, then kills QEMU; removes the job folder. */
  async stop(): Promise<void> {
    const exited = () => this.qemu.exitCode !== null || this.qemu.signalCode !== null;
    if (!exited()) {
      await open(`${this.job}/${POWEROFF_FILE}`, 'w')
        .then((file) => file.close())
        .catch(() => undefined);
      for (let attempt = 0; attempt < 80 && !exited(); attempt++) await sleep(250);
      if (!exited() && this.qemu.pid !== undefined) process.kill(-this.qemu.pid, 'SIGKILL');
    }
    await rm(this.job, { recursive: true, force: true });
  }
}
