/**
 * The second lab generation: Debian 13's engines (podman 5, netavark 1.14 with nftables, pasta, docker 26,
 * firewalld 2.3) in an environment of their own on this host. test/lab/env/gen2/ builds the userland once
 * (cached in /var/lib/netdoctor-lab/gen2/rootfs); each scenario gets fresh mount, network, pid, cgroup, UTS
 * and IPC namespaces whose root is a tmpfs overlay over that userland, entered with pivot_root, with its own
 * fake outside host 198.51.100.2. Whatever a scenario does there ends with the environment: stop() kills its
 * init (and so every process in its pid namespace), and its mounts, interfaces and firewall rules go with
 * the last process; its cgroups are removed after. Commands reach it through `nsenter --target PID --all`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, stat } from 'node:fs/promises';
import { LabError, baseEnv, brief, clip, run, sleep } from './exec.js';
import { ENV_DIR, LAB_RUN, LAB_USER, LAB_USER_INSTALL, AS_USER } from './paths.js';

export type Generation = 1 | 2;

/**
 * How the environment boots besides the engines and the fake outside host: dockerd, dbus + firewalld, and
 * whether the host forwards IPv4 from boot (net.ipv4.ip_forward = 1 in /etc/sysctl.d, applied before dockerd
 * starts, which then leaves the FORWARD policy ACCEPT; otherwise dockerd turns forwarding on and sets DROP).
 */
export type Gen2Feature = 'docker' | 'firewalld' | 'forwarding-at-boot';

const START = `${ENV_DIR}/gen2/start.sh`;
const STOP = `${ENV_DIR}/gen2/stop.sh`;
/** Its own init's mounts, the fake outside host, and dockerd or firewalld when asked: about 2 to 10 s. */
const READY_LIMIT_MS = 150_000;

/** podman 5 warns about cgroups v1 at every command on this VM kind; the warning says nothing about networking. */
export const GEN2_ENV: Readonly<Record<string, string>> = { PODMAN_IGNORE_CGROUPSV1_WARNING: '1' };

/** Environments of a run that was killed: ended, their cgroups and job folders removed. Returns what it did. */
export async function stopStaleEnvironments(): Promise<string[]> {
  const result = await run(['bash', STOP, '--stale'], { timeoutMs: 120_000, env: baseEnv() });
  if (result.exitCode !== 0) throw new LabError(`test/lab/env/gen2/stop.sh --stale failed (${brief(result, 300)})`);
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

export class Gen2Environment {
  private constructor(
    /** /run/netdoctor-lab/gen2-XXXXXX on the host. */
    readonly job: string,
    /** The environment's init, as the host numbers it. */
    readonly pid: number,
    readonly features: readonly Gen2Feature[],
  ) {}

  /** Shared with the environment at the same path: recordings are written there. */
  get share(): string {
    return `${this.job}/share`;
  }

  /** Put before a command to run it inside, as root there. */
  prefix(): string[] {
    return ['nsenter', `--target=${this.pid}`, '--all', '--'];
  }

  /** Put before a command to run it inside as the rootless lab user (test/lab/env/as-user.sh is bound in). */
  userPrefix(): string[] {
    return [...this.prefix(), AS_USER, LAB_USER];
  }

  /**
   * Starts one: the lab's netdoctor copy, node and test/lab/env are bound in read-only at their host paths, so
   * that the same argv works inside.
   */
  static async start(features: readonly Gen2Feature[] = []): Promise<Gen2Environment> {
    const job = await mkdtemp(`${LAB_RUN}/gen2-`);
    const log = await open(`${job}/start.log`, 'w');
    const binds = [process.execPath, LAB_USER_INSTALL, ENV_DIR].flatMap((path) => ['--bind', path]);
    const child = spawn('bash', [START, job, 'overlay', ...binds, ...features.map((feature) => `--${feature}`)], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: baseEnv(),
    });
    child.unref();
    await log.close();
    const deadline = Date.now() + READY_LIMIT_MS;
    let problem = `not ready after ${READY_LIMIT_MS / 1000} s`;
    while (Date.now() < deadline) {
      if (await exists(`${job}/share/ready`)) {
        const [pid] = (await readFile(`${job}/pid`, 'utf8')).trim().split(' ');
        return new Gen2Environment(job, Number(pid), features);
      }
      if (await exists(`${job}/share/failed`)) {
        problem = (await readFile(`${job}/share/failed`, 'utf8')).trim();
        break;
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        problem = `start.sh ended (${child.exitCode ?? child.signalCode})`;
        break;
      }
      await sleep(250);
    }
    const tail = clip(
      (await readFile(`${job}/start.log`, 'utf8').catch(() => '')).trim().split('\n').slice(-4).join(' | '),
      400,
    );
    await run(['bash', STOP, job], { timeoutMs: 60_000, env: baseEnv() });
    throw new LabError(
      `the gen2 environment (${features.join(', ') || 'engines only'}) did not start: ${problem}; ${tail}`,
    );
  }

  /** Ends every process inside; its mounts, network and cgroups go with them. */
  async stop(): Promise<void> {
    const result = await run(['bash', STOP, this.job], { timeoutMs: 60_000, env: baseEnv() });
    if (result.exitCode !== 0)
      throw new LabError(`stopping the gen2 environment ${this.job} failed (${brief(result, 300)})`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
