import { rm } from 'node:fs/promises';
import { sweepAardvark } from './aardvark.js';
import { LabError, baseEnv, brief, ok, run, type RunResult } from './exec.js';
import { GEN2_ENV } from './gen2.js';
import type { EngineKind } from './engine-kind.js';
import { AS_USER, DOCKER, LAB_PREFIX, LAB_USER, PODMAN_CNI, PROBE_DOCKER, PROBE_PODMAN } from './paths.js';

const LABELS: Record<EngineKind, string> = {
  podman: 'podman',
  cni: 'podman (CNI store)',
  rootless: `rootless podman (${LAB_USER})`,
  docker: 'docker',
};

/** Splits an iptables -S line into arguments (double quotes group words, as in comments). */
export function splitRule(line: string): string[] {
  const args: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern))
    args.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  return args;
}

/**
 * One engine/store, used by a scenario. Every container and network it creates is tracked, so that cleanup()
 * removes exactly those, whatever state the scenario reached.
 */
export class Engine {
  readonly containers: string[] = [];
  readonly networks: string[] = [];
  /** Subnets of CNI networks: the CNI plugins leave IPAM leases and, after failures, firewall rules behind. */
  private readonly cniSubnets: string[] = [];

  /** Put before every command: `nsenter --net=...` for a scenario's own network namespace, or a gen2 environment's. */
  prefix: readonly string[] = [];

  /**
   * The engine runs in a gen2 environment (through `prefix`): the host's aardvark-dns folders, CNI leases and
   * iptables are not its own, and what it leaves there ends with the environment.
   */
  inEnvironment = false;

  /** aardvark-dns processes that ran before the scenario: never ended by its cleanup. */
  aardvarkBefore: ReadonlySet<number> = new Set();

  constructor(readonly kind: EngineKind) {}

  get label(): string {
    return LABELS[this.kind];
  }

  /** How netdoctor's printed commands name this engine's CLI. */
  get cli(): 'podman' | 'docker' {
    return this.kind === 'docker' ? 'docker' : 'podman';
  }

  get image(): string {
    return this.kind === 'docker' ? PROBE_DOCKER : PROBE_PODMAN;
  }

  /** The default network of this engine, where names do not resolve. */
  get defaultNetwork(): string {
    return this.kind === 'docker' ? 'bridge' : 'podman';
  }

  argv(args: readonly string[]): string[] {
    return [...this.prefix, ...this.cliArgv(args)];
  }

  private cliArgv(args: readonly string[]): string[] {
    switch (this.kind) {
      case 'podman':
        return ['podman', ...args];
      case 'cni':
        return [PODMAN_CNI, ...args];
      case 'rootless':
        return [AS_USER, LAB_USER, 'podman', ...args];
      case 'docker':
        return [DOCKER, ...args];
    }
  }

  cmd(args: readonly string[], timeoutMs = 90_000): Promise<RunResult> {
    return run(this.argv(args), { timeoutMs, env: baseEnv(this.inEnvironment ? GEN2_ENV : {}) });
  }

  async must(args: readonly string[], timeoutMs = 90_000): Promise<string> {
    const result = await this.cmd(args, timeoutMs);
    if (!ok(result))
      throw new LabError(`${this.label}: \`${this.cli} ${args.join(' ')}\` failed (${brief(result, 300)})`);
    return result.stdout.trim();
  }

  /** Creates a network (CNI networks must name a 10.90.x.0/24 subnet: see test/lab/env/README.md). */
  async network(name: string, options: string[] = []): Promise<void> {
    if (!name.startsWith(LAB_PREFIX)) throw new Error(`lab network names start with ${LAB_PREFIX}: ${name}`);
    if (this.kind === 'cni') {
      const subnet = options[options.indexOf('--subnet') + 1];
      if (!options.includes('--subnet') || subnet === undefined)
        throw new Error(`CNI network ${name} needs --subnet 10.90.x.0/24`);
      this.trackCniSubnet(subnet);
    }
    this.trackNetwork(name);
    await this.must(['network', 'create', ...options, name]);
  }

  trackNetwork(name: string): void {
    if (!this.networks.includes(name)) this.networks.push(name);
  }

  trackCniSubnet(subnet: string): void {
    if (!this.cniSubnets.includes(subnet)) this.cniSubnets.push(subnet);
  }

  trackContainer(name: string): void {
    if (!this.containers.includes(name)) this.containers.push(name);
  }

  /** `run -d` that may fail (the result says how); the container is tracked either way. */
  async tryRun(name: string, options: string[], command: string[] = ['sleep', '600']): Promise<RunResult> {
    if (!name.startsWith(LAB_PREFIX)) throw new Error(`lab container names start with ${LAB_PREFIX}: ${name}`);
    this.trackContainer(name);
    // The probes run as PID 1 and ignore SIGTERM: without this, every stop (`network rm -f` in a printed fix) waits 10
    // s.
    return this.cmd(['run', '-d', '--name', name, '--stop-timeout', '1', ...options, this.image, ...command]);
  }

  /** `run -d` that must succeed. */
  async start(name: string, options: string[], command: string[] = ['sleep', '600']): Promise<void> {
    const result = await this.tryRun(name, options, command);
    if (!ok(result)) throw new LabError(`${this.label}: could not start ${name} (${brief(result, 300)})`);
  }

  /** A container that serves the probe image's /www (GET /ok answers "ok") on port 80. */
  startWeb(name: string, options: string[]): Promise<void> {
    return this.start(name, options, ['httpd', '-f', '-p', '80', '-h', '/www']);
  }

  /** A one-shot `run --rm` (its result is the probe). */
  runOnce(options: string[], command: string[], timeoutMs = 60_000): Promise<RunResult> {
    return this.cmd(['run', '--rm', ...options, this.image, ...command], timeoutMs);
  }

  exec(container: string, argv: string[], timeoutMs = 20_000): Promise<RunResult> {
    return this.cmd(['exec', container, ...argv], timeoutMs);
  }

  async ip(container: string, network: string): Promise<string> {
    const address = await this.must([
      'inspect',
      container,
      '--format',
      `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
    ]);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(address))
      throw new LabError(`${container} has no address on ${network} ("${address}")`);
    return address;
  }

  async gateway(network: string): Promise<string> {
    const format =
      this.kind === 'docker' ? '{{range .IPAM.Config}}{{.Gateway}} {{end}}' : '{{range .Subnets}}{{.Gateway}} {{end}}';
    const gateways = (await this.must(['network', 'inspect', network, '--format', format])).split(/\s+/);
    const gateway = gateways.find((item) => /^\d+\.\d+\.\d+\.\d+$/.test(item));
    if (gateway === undefined) throw new LabError(`network ${network} has no IPv4 gateway`);
    return gateway;
  }

  /** The host bridge of a rootful network. */
  async bridge(network: string): Promise<string> {
    if (this.kind === 'docker') {
      const [id, name] = (
        await this.must([
          'network',
          'inspect',
          network,
          '--format',
          '{{.Id}} {{index .Options "com.docker.network.bridge.name"}}',
        ])
      ).split(' ');
      return name && name !== '<no' ? name : `br-${(id ?? '').slice(0, 12)}`;
    }
    return this.must(['network', 'inspect', network, '--format', '{{.NetworkInterface}}']);
  }

  async remove(...names: string[]): Promise<void> {
    if (names.length === 0) return;
    const result = await this.cmd(this.kind === 'docker' ? ['rm', '-f', ...names] : ['rm', '-f', '-t', '0', ...names]);
    if (!ok(result) && !/no such container/i.test(result.stderr))
      throw new LabError(`${this.label}: rm ${names.join(' ')} failed (${brief(result, 300)})`);
  }

  /** Containers and networks it created, removed; CNI leases and leftover CNI-FORWARD rules of its subnets too. */
  async cleanup(): Promise<string[]> {
    const removed: string[] = [];
    const problems: string[] = [];
    if (this.containers.length > 0) {
      const existing = await this.existing('ps', this.containers);
      if (existing.length > 0) {
        try {
          await this.remove(...existing);
          removed.push(...existing);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      this.containers.length = 0;
    }
    if (this.networks.length > 0) {
      const existing = await this.existing('network', this.networks);
      for (const network of existing) {
        const result = await this.cmd(['network', 'rm', ...(this.kind === 'docker' ? [] : ['-f']), network]);
        if (ok(result)) removed.push(network);
        else problems.push(`${this.label}: network rm ${network} failed (${brief(result, 300)})`);
      }
      if (this.kind === 'cni' && !this.inEnvironment) {
        for (const network of this.networks)
          await rm(`/var/lib/cni/networks/${network}`, { recursive: true, force: true });
      }
      this.networks.length = 0;
    }
    if (this.inEnvironment) {
      if (problems.length > 0) throw new LabError(problems.join('; '));
      return removed;
    }
    if (this.kind === 'podman' || this.kind === 'rootless') {
      const listing = await this.cmd(['network', 'ls', '--format', '{{.Name}}']);
      if (ok(listing))
        removed.push(
          ...(await sweepAardvark(
            this.kind,
            listing.stdout.split('\n').map((line) => line.trim()),
            this.aardvarkBefore,
          )),
        );
    }
    if (this.kind === 'cni' && this.cniSubnets.length > 0) {
      removed.push(...(await removeCniForwardRules(this.cniSubnets)));
      this.cniSubnets.length = 0;
    }
    if (problems.length > 0) throw new LabError(problems.join('; '));
    return removed;
  }

  /** Which of these names exist now, as containers (ps -a) or networks. */
  async existing(what: 'ps' | 'network', names: string[]): Promise<string[]> {
    const listing = await this.cmd(
      what === 'ps' ? ['ps', '-a', '--format', '{{.Names}}'] : ['network', 'ls', '--format', '{{.Name}}'],
    );
    if (!ok(listing)) return names;
    const present = new Set(listing.stdout.split('\n').map((line) => line.trim()));
    return names.filter((name) => present.has(name));
  }
}

/** The first three octets of a /24 ("10.90.212.0/24" -> "10.90.212."). */
function prefixOf(subnet: string): string {
  return subnet.split('/')[0]!.split('.').slice(0, 3).join('.') + '.';
}

/**
 * A container whose start failed under CNI (dnsmasq missing) leaves its CNI-FORWARD accept rules behind, and
 * `podman rm` does not remove them (LAB-NOTES). Only rules naming the lab's own subnets are touched.
 */
export async function removeCniForwardRules(subnets: string[]): Promise<string[]> {
  const listing = await run(['iptables', '-w', '5', '-S', 'CNI-FORWARD'], { timeoutMs: 15_000 });
  if (!ok(listing)) return [];
  const prefixes = subnets.map(prefixOf);
  const removed: string[] = [];
  for (const line of listing.stdout.split('\n')) {
    if (!line.startsWith('-A CNI-FORWARD ') || !prefixes.some((prefix) => line.includes(` ${prefix}`))) continue;
    const args = splitRule(line);
    args[0] = '-D';
    const result = await run(['iptables', '-w', '5', ...args], { timeoutMs: 15_000 });
    if (ok(result)) removed.push(`rule ${line}`);
  }
  return removed;
}
