/**
 * netdoctor's benchmarks, run on demand with `npm run bench`. Each prints its figures and a ratio; a comparison of
 * two commands runs them in turn (A B A B ...) in this one run and takes the median of the pairs' ratios, so that
 * the machine's load drifting during the run moves both alike.
 *
 *   P1  the full diagnosis against the six commands an expert types first (root, containers of both engines)
 *   P2  `netdoctor --version` against `node -e 0`
 *   P3  the commands netdoctor runs with 10 and with 200 containers (root, both engines)
 *   P4  the ruleset parsers on 10,000 rules
 *   P5  `netdoctor why` on a healthy pair (root)
 *
 * The benchmarks with containers create them (named nd-bench-*) from the lab's probe image (test/lab/env/setup.sh
 * makes it), remove them afterwards, and run under the lab's lock, since they start containers on the host the lab
 * uses. Without root, an engine or the image they say so and are skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIptablesSave } from '../src/netfilter/iptables-save.js';
import { parseNftJson } from '../src/netfilter/nft.js';
import { recordedRuleset, scaleIptablesSave, scaleNftJson } from './rulesets.js';

/** This file runs as dist/bench/run.mjs. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NETDOCTOR = join(REPO, 'bin/netdoctor');
const LAB_LOCK = '/run/netdoctor-lab-run.lock';
const PREFIX = 'nd-bench';
const PODMAN_IMAGE = 'localhost/netdoctor-probe:latest';
const DOCKER_IMAGE = 'netdoctor-probe:latest';
/** Bounds every command the benchmarks run, containers' creation included. */
const COMMAND_TIMEOUT_MS = 120_000;

interface Timed {
  ms: number;
  /** CPU time (user and system) of the command and the children it waited for. */
  cpuMs: number;
  code: number | null;
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** The CPU time of this process's children that have been waited for (cutime + cstime of /proc/self/stat). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Counted from the state (field 3 of proc(5)): cutime and cstime are fields 16 and 17.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Runs argv to its end, its output thrown away: wall time from the spawn to the exit, and its CPU time. */
function timed(argv: readonly string[]): Promise<Timed> {
  return new Promise((done, fail) => {
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
    child.on('error', fail);
    child.on('exit', (code) => done({ ms: performance.now() - started, cpuMs: childrenCpuMs() - cpuBefore, code }));
  });
}

/** Several commands one after the other, as a person types them: the sum of their wall times. */
async function timedSequence(commands: readonly (readonly string[])[]): Promise<Timed> {
  const sum: Timed = { ms: 0, cpuMs: 0, code: 0 };
  for (const argv of commands) {
    const result = await timed(argv);
    sum.ms += result.ms;
    sum.cpuMs += result.cpuMs;
    if (result.code !== 0) sum.code = result.code;
  }
  return sum;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Comparison {
  a: number;
  b: number;
  ratio: number;
  aCpu: number;
  bCpu: number;
  cpuRatio: number;
  codes: Set<number | null>;
}

/** A and B in turn, `pairs` times after one warm-up pair: medians of each and of the pair-by-pair ratios. */
async function alternate(pairs: number, a: () => Promise<Timed>, b: () => Promise<Timed>): Promise<Comparison> {
  await a();
  await b();
  const as: Timed[] = [];
  const bs: Timed[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    as.push(await a());
    bs.push(await b());
  }
  const ratio = (of: (timed: Timed) => number) => median(as.map((value, index) => of(value) / of(bs[index]!)));
  return {
    a: median(as.map((value) => value.ms)),
    b: median(bs.map((value) => value.ms)),
    ratio: ratio((value) => value.ms),
    aCpu: median(as.map((value) => value.cpuMs)),
    bCpu: median(bs.map((value) => value.cpuMs)),
    cpuRatio: ratio((value) => Math.max(value.cpuMs, 1)),
    codes: new Set(as.map((value) => value.code)),
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function verdict(met: boolean): string {
  return met ? 'at goal' : 'ABOVE GOAL';
}

function run(argv: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function must(argv: readonly string[]): string {
  const result = run(argv);
  if (result.code !== 0) throw new Error(`${argv.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

async function versionStartup(): Promise<void> {
  const pairs = 21;
  const result = await alternate(
    pairs,
    () => timed([process.execPath, NETDOCTOR, '--version']),
    () => timed([process.execPath, '-e', '0']),
  );
  console.log(
    `P2 netdoctor --version ${seconds(result.a)} vs node -e 0 ${seconds(result.b)}: ratio ${result.ratio.toFixed(2)} (goal <= 1.5, ${verdict(result.ratio <= 1.5)}; median of ${pairs} alternated pairs); CPU ${seconds(result.aCpu)} vs ${seconds(result.bCpu)}, ratio ${result.cpuRatio.toFixed(2)}`,
  );
}

function parserTimes(): void {
  const iptables = scaleIptablesSave(recordedRuleset(REPO, 'containers.iptables-save.txt'));
  const nft = scaleNftJson(recordedRuleset(REPO, 'containers.nft.json'));
  // The scaled rulesets must be what they claim to be, or the figures mean nothing.
  const parsed = parseIptablesSave(iptables.text, 'ipv4');
  const iptablesRules = parsed.tables.flatMap((table) => table.chains).flatMap((chain) => chain.rules).length;
  const nftRules = parseNftJson(nft.text)
    .tables.flatMap((table) => table.chains)
    .flatMap((chain) => chain.rules).length;
  if (parsed.warnings.length > 0 || iptablesRules !== iptables.ruleCount || nftRules !== nft.ruleCount)
    throw new Error(`the scaled rulesets parse to ${iptablesRules} and ${nftRules} rules`);
  const rounds = 21;
  // CPU time is what the parser costs; wall time adds whatever else the machine runs meanwhile. A diagnosis parses
  // each ruleset once: each round starts on a collected heap (npm run bench gives node --expose-gc), instead of
  // paying for the garbage of the rounds before it.
  const collect = (globalThis as { gc?: () => void }).gc;
  const timeParse = (parse: () => unknown) => {
    const runs = Array.from({ length: rounds }, () => {
      collect?.();
      const started = performance.now();
      const cpu = process.cpuUsage();
      parse();
      const used = process.cpuUsage(cpu);
      return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
    });
    return { wall: median(runs.map((run) => run.wall)), cpu: median(runs.map((run) => run.cpu)) };
  };
  for (const [label, rules, time] of [
    ['parseIptablesSave', iptables.ruleCount, timeParse(() => parseIptablesSave(iptables.text, 'ipv4'))],
    ['parseNftJson', nft.ruleCount, timeParse(() => parseNftJson(nft.text))],
  ] as const) {
    console.log(
      `P4 ${label} on ${rules} rules: ${time.cpu.toFixed(1)} ms of CPU (${time.wall.toFixed(1)} ms wall), ratio to the 100 ms budget ${(time.cpu / 100).toFixed(2)} (goal < 1, ${verdict(time.cpu < 100)}; median of ${rounds})`,
    );
  }
}

/** Why the container benchmarks cannot run here, or undefined. */
function containerObstacle(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const [engine, image] of [
    ['podman', PODMAN_IMAGE],
    ['docker', DOCKER_IMAGE],
  ] as const) {
    const result = run([engine, 'image', 'inspect', image]);
    if (result.code === null || result.code === 127) return `${engine} is not installed or does not answer`;
    if (/no such image|image not known/i.test(result.stderr))
      return `${engine} has no image ${image} (test/lab/env/setup.sh makes it)`;
    if (result.code !== 0) return `\`${engine} image inspect\` failed: ${result.stderr.trim().split('\n')[0] ?? ''}`;
  }
  return undefined;
}

/** Creates and removes the nd-bench-* containers and networks. */
class BenchContainers {
  private podmanCount = 0;
  private dockerCount = 0;

  constructor() {
    this.removeAll();
    must(['podman', 'network', 'create', PREFIX]);
    must(['docker', 'network', 'create', PREFIX]);
  }

  /** Brings the number of running sleepers of each engine up to `each`, a few at a time. */
  async sleepers(each: number): Promise<void> {
    const pending: (readonly string[])[] = [];
    for (; this.podmanCount < each; this.podmanCount += 1)
      pending.push(this.runArgv('podman', `${PREFIX}-p${this.podmanCount}`, ['sleep', '3600']));
    for (; this.dockerCount < each; this.dockerCount += 1)
      pending.push(this.runArgv('docker', `${PREFIX}-d${this.dockerCount}`, ['sleep', '3600']));
    const workers = Array.from({ length: 4 }, async () => {
      for (let argv = pending.shift(); argv !== undefined; argv = pending.shift()) {
        const result = await timed(argv);
        if (result.code !== 0) throw new Error(`${argv.join(' ')} failed (${result.code})`);
      }
    });
    await Promise.all(workers);
  }

  /** A web server and a client on the podman network: a pair that reaches each other. */
  healthyPair(): { a: string; b: string } {
    must(this.runArgv('podman', `${PREFIX}-web`, ['httpd', '-f', '-p', '80', '-h', '/www']));
    must(this.runArgv('podman', `${PREFIX}-client`, ['sleep', '3600']));
    return { a: `${PREFIX}-client`, b: `${PREFIX}-web` };
  }

  /** Removes the containers of the healthy pair. */
  removePair({ a, b }: { a: string; b: string }): void {
    must(['podman', 'rm', '-f', a, b]);
  }

  private runArgv(engine: 'podman' | 'docker', name: string, command: string[]): string[] {
    const image = engine === 'podman' ? PODMAN_IMAGE : DOCKER_IMAGE;
    return [engine, 'run', '-d', '--name', name, '--network', PREFIX, '--stop-timeout', '1', image, ...command];
  }

  removeAll(): void {
    for (const engine of ['podman', 'docker']) {
      const names = run([engine, 'ps', '-a', '--format', '{{.Names}}']).stdout.split('\n');
      const ours = names.filter((name) => name.startsWith(`${PREFIX}-`));
      if (ours.length > 0) run([engine, 'rm', '-f', ...ours]);
      run([engine, 'network', 'rm', PREFIX]);
    }
    this.podmanCount = 0;
    this.dockerCount = 0;
  }
}

const EXPERT_COMMANDS = [
  ['podman', 'info'],
  ['docker', 'info'],
  ['podman', 'network', 'ls'],
  ['docker', 'network', 'ls'],
  ['iptables-save'],
  ['nft', '-j', 'list', 'ruleset'],
];

async function fullDiagnosis(): Promise<void> {
  const pairs = 11;
  const result = await alternate(
    pairs,
    () => timed([process.execPath, NETDOCTOR]),
    () => timedSequence(EXPERT_COMMANDS),
  );
  console.log(
    `P1 full diagnosis ${seconds(result.a)} vs the expert's six commands ${seconds(result.b)}: ratio ${result.ratio.toFixed(2)} (goal <= 1.0, ${verdict(result.ratio <= 1)}; median of ${pairs} alternated pairs; netdoctor exit codes ${[...result.codes].join(', ')}); CPU ${seconds(result.aCpu)} vs ${seconds(result.bCpu)}`,
  );
  // Work that needs more CPU than the wall time allows, on every core, cannot end within it.
  const cores = availableParallelism();
  console.log(
    `    its CPU over this machine's ${cores} cores: at least ${seconds(result.aCpu / cores)} of wall, ratio ${(result.aCpu / cores / result.b).toFixed(2)} to the six commands`,
  );
}

/** What one recorded run of netdoctor ran: its commands, and how many ran per container. */
function commandCount(): { commands: number; perContainer: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'nd-bench-'));
  try {
    const snapshot = join(dir, 'snapshot.json');
    run([process.execPath, NETDOCTOR, '--record', snapshot]);
    const recorded = JSON.parse(readFileSync(snapshot, 'utf8')) as { commands: { argv: string[] }[] };
    const perContainer = recorded.commands
      .map((command) => command.argv.join(' '))
      .filter((line) => /nsenter|unshare cat/.test(line));
    return { commands: recorded.commands.length, perContainer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function commandsPerContainerCount(containers: BenchContainers): Promise<void> {
  await containers.sleepers(5);
  const few = commandCount();
  await containers.sleepers(100);
  const many = commandCount();
  console.log(
    `P3 commands netdoctor ran: ${few.commands} with 10 containers, ${many.commands} with 200 (goal: equal, ${verdict(few.commands === many.commands)}; half podman, half docker${many.perContainer.length > 0 ? `; per container: ${many.perContainer.length}` : ''})`,
  );
}

async function pairDiagnosis(containers: BenchContainers): Promise<void> {
  const pair = containers.healthyPair();
  try {
    await timePair(pair.a, pair.b);
  } finally {
    containers.removePair(pair);
  }
}

async function timePair(a: string, b: string): Promise<void> {
  const runs = 7;
  const healthy = await medianOf(runs, [process.execPath, NETDOCTOR, 'why', a, b]);
  console.log(
    `P5 netdoctor why ${a} ${b}: ${seconds(healthy.ms)}, ratio to the 1 s budget ${(healthy.ms / 1000).toFixed(2)} (goal < 1, ${verdict(healthy.ms < 1000)}; median of ${runs}; exit codes ${healthy.codes}, 0 = reachable); CPU ${seconds(healthy.cpuMs)}`,
  );
  // A pair that does not answer runs the host checks too (podman info among them): no goal, the price of a break.
  const refused = await medianOf(runs, [process.execPath, NETDOCTOR, 'why', a, b, '--port', '81']);
  console.log(
    `    for reference, why ${a} ${b} --port 81 (nothing serves it): ${seconds(refused.ms)} (median of ${runs}; exit codes ${refused.codes}, 1 = unreachable); CPU ${seconds(refused.cpuMs)}`,
  );
}

/** The medians of a command run `runs` times after one run that warms the caches. */
async function medianOf(runs: number, argv: string[]): Promise<{ ms: number; cpuMs: number; codes: string }> {
  const results: Timed[] = [];
  await timed(argv);
  for (let index = 0; index < runs; index += 1) results.push(await timed(argv));
  return {
    ms: median(results.map((result) => result.ms)),
    cpuMs: median(results.map((result) => result.cpuMs)),
    codes: [...new Set(results.map((result) => result.code))].join(', '),
  };
}

/** What P1's floor runs: Node's start, then `podman info` and nothing else. */
const NODE_THEN_PODMAN_INFO =
  "require('node:child_process').spawnSync('podman', ['info', '--format', 'json'], { stdio: 'ignore' })";

/**
 * P1's floor. A full diagnosis reads `podman info`, the one command that says podman's network backend, helpers and
 * firewall driver, and netdoctor runs on Node: none can end before Node has started and `podman info` has ended.
 * That alone, alternated with the six commands as P1 is; and `podman info` alone (`why` on a pair that answers does
 * not run it).
 */
async function podmanInfoFloor(): Promise<void> {
  const runs = 7;
  const results: Timed[] = [];
  for (let index = 0; index < runs; index += 1) results.push(await timed(['podman', 'info', '--format', 'json']));
  const ms = median(results.map((result) => result.ms));
  const cpuMs = median(results.map((result) => result.cpuMs));
  console.log(`    floor of P1: podman info alone ${seconds(ms)}, CPU ${seconds(cpuMs)} (median of ${runs})`);
  const pairs = 11;
  const floor = await alternate(
    pairs,
    () => timed([process.execPath, '-e', NODE_THEN_PODMAN_INFO]),
    () => timedSequence(EXPERT_COMMANDS),
  );
  console.log(
    `    floor of P1: node's start then podman info ${seconds(floor.a)} vs the six commands ${seconds(floor.b)}: ratio ${floor.ratio.toFixed(2)} (median of ${pairs} alternated pairs); CPU ${seconds(floor.aCpu)} vs ${seconds(floor.bCpu)}`,
  );
}

/**
 * P1, P5 and P3 (those selected), in this order (P3 leaves 200 containers), under the lab's lock (flock starts this
 * process).
 */
async function withContainers(selected: ReadonlySet<string>): Promise<void> {
  const containers = new BenchContainers();
  const cleanUp = () => {
    containers.removeAll();
    process.exit(130);
  };
  process.on('SIGINT', cleanUp);
  process.on('SIGTERM', cleanUp);
  try {
    await containers.sleepers(2);
    if (selected.has('P1')) await podmanInfoFloor();
    if (selected.has('P1')) await fullDiagnosis();
    if (selected.has('P5')) await pairDiagnosis(containers);
    if (selected.has('P3')) await commandsPerContainerCount(containers);
  } finally {
    containers.removeAll();
  }
}

const ALL = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** `npm run bench` runs them all; `npm run bench -- P2 P4` only those named. */
async function main(argv: string[]): Promise<number> {
  const named = argv.filter((arg) => ALL.includes(arg));
  const selected = new Set(named.length > 0 ? named : ALL);
  if (argv[0] === '--with-containers') {
    await withContainers(selected);
    return 0;
  }
  console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  if (selected.has('P2')) await versionStartup();
  if (selected.has('P4')) parserTimes();
  if (!['P1', 'P3', 'P5'].some((name) => selected.has(name))) return 0;
  const obstacle = containerObstacle();
  if (obstacle !== undefined) {
    console.log(`P1, P3, P5 skipped: ${obstacle} (they need root, podman, docker and the lab's probe image)`);
    return 0;
  }
  const locked = spawnSync(
    'flock',
    ['-w', '3600', LAB_LOCK, process.execPath, fileURLToPath(import.meta.url), '--with-containers', ...selected],
    { stdio: 'inherit', timeout: 3_900_000 },
  );
  return locked.status ?? 1;
}

process.exitCode = await main(process.argv.slice(2));
