import { spawn } from 'node:child_process';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import type { Report } from '../../../src/core/report.js';
import { Engine } from './engine.js';
import type { EngineKind } from './engine-kind.js';
import { GEN2_ENV, Gen2Environment, type Gen2Feature, type Generation } from './gen2.js';
import { EnvironmentGuard, type Guard } from './gen2-guard.js';
import { GUEST_RUN_LIMIT_MS, Guest, type GuestInit, type GuestView } from './guest.js';
import { LabError, baseEnv, brief, ok, run, sleep, type RunResult } from './exec.js';
import { HostGuard } from './guard.js';
import { loadScale, stretchedNetdoctorLimits } from './load.js';
import { RECORDED_CHECKS, runNetdoctor, type Identity, type NetdoctorOptions, type NetdoctorRun } from './netdoctor.js';
import {
  DOCKER,
  DOCKERD_LOG,
  DOCKER_PID,
  DOCKER_SOCK,
  LAB_USER_INSTALL,
  SNAPSHOT_DIR,
  SNAPSHOT_DIR_GEN2,
} from './paths.js';

/**
 * What the lab reads of the scenario it runs (test/lab/scenario.ts builds Scenario on it): kept here, so that
 * lab.ts does not import the scenario module that imports it.
 */
export interface LabScenario {
  name: string;
  identity: Identity;
  /** Extra environment for netdoctor and for printed commands (a root identity with its own podman store). */
  env?: (lab: Lab) => Record<string, string>;
  /**
   * A network namespace of the scenario's own (its setup makes it, its restore deletes it), for a breakage that
   * must not touch the host's namespace: netdoctor, rootful podman and the printed fix run in it (`nsenter --net`).
   */
  netns?: string;
  /** Generation 2: how its environment boots besides the engines (dockerd, firewalld, forwarding on). */
  environment?: readonly Gen2Feature[];
  /**
   * The netdoctor subcommand to run instead of the host diagnosis (`why A B ...`); its report meets the same
   * expectations.
   */
  netdoctorCommand?: (lab: Lab) => string[];
  /** Always runs (also after a failure or a timeout): puts the host back exactly. */
  restore(lab: Lab): Promise<void>;
}

export interface LabOptions {
  /** Record netdoctor snapshots (lab:record). */
  record: boolean;
}

/** What a scenario works with: the engines, the host guard (every host change is undoable), netdoctor runs, notes. */
export class Lab {
  readonly guard: Guard;
  readonly podman = new Engine('podman');
  readonly cni = new Engine('cni');
  readonly rootless = new Engine('rootless');
  readonly docker = new Engine('docker');
  /** Values a scenario learns in setup and needs later (addresses, bridge names). */
  private readonly vars = new Map<string, string>();
  private guest: Guest | undefined;
  /** Generation 2: the environment the scenario runs in (started by the harness before setup). */
  private environment: Gen2Environment | undefined;
  private stopping: Promise<void> | undefined;
  /** netdoctor runs of this scenario, in order. */
  readonly runs: (NetdoctorRun & { state: string })[] = [];

  constructor(
    readonly scenario: LabScenario,
    readonly options: LabOptions,
    readonly generation: Generation = 1,
  ) {
    this.guard =
      generation === 2
        ? new EnvironmentGuard(scenario.name, () => this.runningEnvironment().prefix())
        : new HostGuard(scenario.name);
    this.podman.prefix = netnsPrefix(scenario.netns);
  }

  /**
   * This host's guard, for the changes only generation 1 undoes (links, iptables policies and rule sweeps, nft
   * tables, host processes): the hand-made scenarios that make them run on generation 1 only.
   */
  get hostGuard(): HostGuard {
    if (!(this.guard instanceof HostGuard))
      throw new LabError(
        `${this.label}: links, rule sweeps, policies, nft tables and processes are undone on gen1 only`,
      );
    return this.guard;
  }

  /** The name with its generation, as the lab's output and log show it. */
  get label(): string {
    return `${this.scenario.name} (gen${this.generation})`;
  }

  /**
   * What runs a command on the host the scenario diagnoses: its VM (startGuest), its gen2 environment, its own
   * network namespace (`nsenter --net=...`), or nothing for this host itself.
   */
  hostPrefix(): string[] {
    return this.guest?.prefix() ?? this.environment?.prefix() ?? netnsPrefix(this.scenario.netns);
  }

  /** Starts the scenario's gen2 environment; every engine of the lab then runs inside it. */
  async startEnvironment(): Promise<Gen2Environment> {
    if (this.environment !== undefined) throw new LabError('the gen2 environment runs already');
    this.environment = await Gen2Environment.start(this.scenario.environment ?? []);
    for (const engine of [this.podman, this.cni, this.rootless, this.docker]) {
      engine.prefix = this.environment.prefix();
      engine.inEnvironment = true;
    }
    return this.environment;
  }

  runningEnvironment(): Gen2Environment {
    if (this.environment === undefined) throw new LabError(`${this.label}: the gen2 environment was not started`);
    return this.environment;
  }

  /** Ends the gen2 environment, and with it everything the scenario made there. */
  async stopEnvironment(): Promise<void> {
    // The scenario's own restore and a signal's restore may both get here: the second waits for the first's stop
    // (the lab exits after its restore, which would cut a stop still running short).
    if (this.environment !== undefined) {
      const environment = this.environment;
      this.environment = undefined;
      this.stopping = environment.stop();
    }
    await this.stopping;
  }

  /** Boots the lab guest (lib/guest.ts): netdoctor, probes and printed fixes then run in it. */
  async startGuest(view: GuestView, init: GuestInit = 'agent'): Promise<Guest> {
    if (this.guest !== undefined) throw new LabError('the guest runs already');
    this.guest = await Guest.start(view, init);
    return this.guest;
  }

  runningGuest(): Guest {
    if (this.guest === undefined) throw new LabError(`${this.scenario.name}: the guest was not started`);
    return this.guest;
  }

  async stopGuest(): Promise<void> {
    const guest = this.guest;
    this.guest = undefined;
    await guest?.stop();
  }

  engine(kind: EngineKind): Engine {
    return { podman: this.podman, cni: this.cni, rootless: this.rootless, docker: this.docker }[kind];
  }

  set(key: string, value: string): void {
    this.vars.set(key, value);
  }

  get(key: string): string {
    const value = this.vars.get(key);
    if (value === undefined) throw new LabError(`${this.scenario.name}: ${key} was not set during setup`);
    return value;
  }

  /** A value that setup may not have reached (for restores). */
  maybe(key: string): string | undefined {
    return this.vars.get(key);
  }

  env(): Record<string, string> {
    return { ...(this.generation === 2 ? GEN2_ENV : {}), ...(this.scenario.env?.(this) ?? {}) };
  }

  /** Where and how netdoctor runs for this scenario: in its gen2 environment, the lab guest, or on the host. */
  netdoctorPlace(): NetdoctorOptions {
    const inside =
      this.environment !== undefined
        ? {
            scratch: this.environment.share,
            program: `${LAB_USER_INSTALL}/bin/netdoctor`,
            snapshotDir: SNAPSHOT_DIR_GEN2,
          }
        : this.guest !== undefined
          ? { scratch: this.guest.job, timeoutMs: GUEST_RUN_LIMIT_MS, snapshotDir: SNAPSHOT_DIR }
          : { snapshotDir: SNAPSHOT_DIR };
    return { env: this.env(), prefix: this.hostPrefix(), ...inside };
  }

  /** Runs netdoctor as the scenario's identity; in record mode also writes <scenario>.<state>.json and .report.json. */
  async netdoctor(state: 'broken' | 'fixed' | 'healthy'): Promise<Report[]> {
    const asked = this.scenario.netdoctorCommand?.(this) ?? [];
    // On a loaded host podman alone can take longer than netdoctor's limits, made for a quiet one.
    const command = [...asked, ...stretchedNetdoctorLimits(asked, loadScale())];
    const place = { ...this.netdoctorPlace(), command };
    const outcome = await runNetdoctor(this.scenario.identity, place);
    this.runs.push({ ...outcome, state });
    if (!this.options.record) return [outcome.report];
    // The fixture: a second run, recorded and limited to RECORDED_CHECKS. The harness holds it to the same
    // expectations as the full run, so a fixture always shows what the scenario proved. A subcommand such as
    // `why` reads only what it needs and has no --only.
    const only = asked.length > 0 ? undefined : RECORDED_CHECKS;
    const recorded = await runNetdoctor(this.scenario.identity, {
      ...place,
      record: `${this.scenario.name}.${state}`,
      ...(only !== undefined ? { only } : {}),
    });
    this.runs.push({ ...recorded, state: `${state} (recorded)` });
    return [outcome.report, recorded.report];
  }

  /** A root command, bounded; on generation 2 inside the environment. */
  root(argv: string[], timeoutMs = 30_000): Promise<RunResult> {
    if (this.environment !== undefined)
      return run([...this.environment.prefix(), ...argv], { timeoutMs, env: baseEnv(GEN2_ENV) });
    return run(argv, { timeoutMs, env: baseEnv() });
  }

  async mustRoot(argv: string[], timeoutMs = 30_000): Promise<string> {
    const result = await this.root(argv, timeoutMs);
    if (!ok(result)) throw new LabError(`\`${argv.join(' ')}\` failed (${brief(result, 300)})`);
    return result.stdout.trim();
  }

  /** Removes every container and network this scenario created, in all stores. */
  async removeObjects(): Promise<string[]> {
    const removed: string[] = [];
    const problems: string[] = [];
    for (const engine of [this.podman, this.cni, this.rootless, this.docker]) {
      if (engine.containers.length === 0 && engine.networks.length === 0) continue;
      try {
        removed.push(...(await engine.cleanup()));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (problems.length > 0) throw new LabError(problems.join('; '));
    return removed;
  }

  /**
   * Undoes every host change (moved binaries, modes, files, sysctls, stopped processes); on generation 2 then
   * ends the environment, which leaves nothing behind.
   */
  async restoreHost(): Promise<string[]> {
    try {
      return await this.guard.undo();
    } finally {
      await this.stopEnvironment();
    }
  }

  /** The usual order: containers and networks first (while the host is still as they knew it), then the host. */
  async defaultRestore(): Promise<void> {
    await this.removeObjects();
    await this.restoreHost();
  }

  /**
   * A file of the host the scenario diagnoses (on generation 2 read inside its environment, where /proc/sys/net
   * and pids are its own); undefined when it cannot be read.
   */
  async readHostFile(path: string): Promise<string | undefined> {
    if (this.environment === undefined) return readFile(path, 'utf8').catch(() => undefined);
    const result = await this.root(['cat', path], 10_000);
    return ok(result) ? result.stdout : undefined;
  }

  /** Writes a file on the host the scenario diagnoses (on generation 2 inside its environment). */
  async writeHostFile(path: string, content: string): Promise<void> {
    if (this.environment === undefined) return writeFile(path, content);
    const result = await run([...this.environment.prefix(), 'sh', '-c', 'cat >"$1"', 'write', path], {
      timeoutMs: 10_000,
      env: baseEnv(GEN2_ENV),
      input: content,
    });
    if (!ok(result)) throw new LabError(`writing ${path} in the gen2 environment failed (${brief(result, 300)})`);
  }

  // ---------------------------------------------------------------- dockerd

  async dockerUp(): Promise<boolean> {
    return ok(await this.root([DOCKER, 'info', '--format', '{{.ServerVersion}}'], 10_000));
  }

  /** The pid of the running dockerd, from its pid file, checked against /proc (on generation 2 as numbered there). */
  async dockerdPid(): Promise<number | undefined> {
    const text = (await this.readHostFile(DOCKER_PID)) ?? '';
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const comm = (await this.readHostFile(`/proc/${pid}/comm`)) ?? '';
    return comm.trim() === 'dockerd' ? pid : undefined;
  }

  async processAlive(pid: number): Promise<boolean> {
    const status = (await this.readHostFile(`/proc/${pid}/status`)) ?? '';
    return status !== '' && !/^State:\s+Z/m.test(status);
  }

  /** A signal to a process of the host the scenario diagnoses, by the pid it has there. */
  async signal(pid: number, signal: 'SIGTERM' | 'SIGCONT'): Promise<void> {
    if (this.environment === undefined) process.kill(pid, signal);
    else await this.mustRoot(['kill', `-${signal.replace(/^SIG/, '')}`, String(pid)]);
  }

  async socketExists(): Promise<boolean> {
    if (this.environment !== undefined) return ok(await this.root(['test', '-e', DOCKER_SOCK], 10_000));
    return stat(DOCKER_SOCK).then(
      () => true,
      () => false,
    );
  }

  /** Running docker containers (ids), to start again the ones a dockerd stop ends (other sessions' too). */
  async runningDockerContainers(): Promise<string[]> {
    const result = await this.root([DOCKER, 'ps', '-q', '--no-trunc'], 15_000);
    return ok(result)
      ? result.stdout
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '')
      : [];
  }

  /**
   * Starts dockerd as test/lab/env/setup.sh does, when it does not answer, and waits (bounded) for it. On
   * generation 2 the environment's dockerd ends with it: nothing to start once it is gone.
   */
  async ensureDockerd(): Promise<string | undefined> {
    if (this.generation === 1) return ensureDockerd();
    if (this.environment === undefined || (await this.dockerUp())) return undefined;
    throw new LabError(`${this.label}: the environment's dockerd does not answer`);
  }
}

/** The command prefix that runs a command in a named network namespace, and only its network namespace. */
export function netnsPrefix(netns: string | undefined): string[] {
  // Not `ip netns exec`: it also unshares the mount namespace, and podman's container mounts made there would
  // be invisible to the next podman command.
  return netns === undefined ? [] : ['nsenter', `--net=/run/netns/${netns}`, '--'];
}

async function dockerAnswers(): Promise<boolean> {
  return ok(await run([DOCKER, 'info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000, env: baseEnv() }));
}

/**
 * dockerd answering again: a stopped (SIGSTOP) one is continued, a missing one is started the way
 * test/lab/env/setup.sh does (`setsid dockerd >>LOG 2>&1 </dev/null &`); waits at most 60 s.
 */
export async function ensureDockerd(): Promise<string | undefined> {
  if (await dockerAnswers()) return undefined;
  /** The dockerd of the pid file while it lives (a zombie does not count), and its state letter. */
  const current = async (): Promise<{ pid: number; state: string } | undefined> => {
    const candidate = Number((await readFile(DOCKER_PID, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(candidate) || candidate <= 0) return undefined;
    const [comm, status] = await Promise.all([
      readFile(`/proc/${candidate}/comm`, 'utf8').catch(() => ''),
      readFile(`/proc/${candidate}/status`, 'utf8').catch(() => ''),
    ]);
    const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? 'Z';
    return comm.trim() === 'dockerd' && state !== 'Z' ? { pid: candidate, state } : undefined;
  };
  let found = await current();
  if (found !== undefined && found.state === 'T') {
    process.kill(found.pid, 'SIGCONT');
  } else if (found !== undefined) {
    // Running but not answering: it may be shutting down; give it 20 s to go.
    for (let attempt = 0; attempt < 40 && found !== undefined; attempt++) {
      await sleep(500);
      if (await dockerAnswers()) return `dockerd ${found.pid} answers`;
      found = await current();
    }
    if (found !== undefined) throw new LabError(`dockerd ${found.pid} runs but does not answer; see ${DOCKERD_LOG}`);
  }
  const pid = found?.pid;
  if (found === undefined) {
    const log = await open(DOCKERD_LOG, 'a');
    try {
      const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', log.fd, log.fd], env: baseEnv() });
      child.unref();
    } finally {
      await log.close();
    }
  }
  for (let attempt = 0; attempt < 120; attempt++) {
    if (await dockerAnswers()) return pid !== undefined ? `dockerd ${pid} continued` : 'dockerd started';
    await sleep(500);
  }
  throw new LabError(
    `dockerd does not answer 60 s after ${pid !== undefined ? 'SIGCONT' : 'being started'}; see ${DOCKERD_LOG}`,
  );
}
