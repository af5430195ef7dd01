import { LabError, brief, ok } from './exec.js';
import type { Lab } from './lab.js';
import { egress, expectFailure, expectProbe } from './probes.js';

/**
 * Generation 2, iptables broken: podman's netavark 1.14 programs `table inet netavark` with its nftables driver,
 * so a container on a new podman network still starts and gets out.
 */
export async function provePodmanWithoutIptables(lab: Lab, network: string): Promise<string> {
  await lab.podman.network(network);
  const started = await lab.podman.tryRun(`${network}-a`, ['--network', network]);
  if (!ok(started))
    throw new LabError(
      `podman run on ${network} failed without iptables, where its nftables driver needs none (${brief(started, 300)})`,
    );
  expectProbe(await egress(lab.podman, `${network}-a`), 'pass');
  return `podman (nftables driver) still starts ${network}-a, which gets out`;
}

/** Generation 2, iptables broken: docker 26 runs iptables for a new network's NAT rule, and the creation fails. */
export async function dockerNeedsIptables(lab: Lab, network: string, error: RegExp): Promise<string> {
  lab.docker.trackNetwork(network);
  return expectFailure(await lab.docker.cmd(['network', 'create', network]), error, `docker network create ${network}`);
}

/** After the fix: the docker network is created and its container gets out. */
export async function proveDockerNetworkWithIptables(lab: Lab, network: string): Promise<string> {
  await lab.docker.network(network);
  await lab.docker.start(`${network}-b`, ['--network', network]);
  return `docker network create ${network} works; ${expectProbe(await egress(lab.docker, `${network}-b`), 'pass')}`;
}
