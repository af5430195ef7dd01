import { shellLine } from '../core/shell.js';
import { failureReason, type Listing } from './docker.js';
import { defineFact } from '../core/facts.js';
import { asArray, asRecord, asString, asStringArray, parseEngineJsonList } from './model.js';
import { podmanState } from './podman.js';

export const PODMAN_ALL_CONTAINERS = ['podman', 'ps', '--all', '--format', 'json'];

export interface PortRequest {
  container: string;
  state: string;
  hostIp?: string;
  /** The first host port of the request (a range starts there). */
  hostPort: number;
  containerPort: number;
  protocol: string;
}

/**
 * The host ports every container asks for, running or not: a rootless container whose port cannot be bound
 * never starts, so only its configuration shows what it wanted.
 */
export function parsePodmanPsPorts(stdout: string): PortRequest[] {
  return parseEngineJsonList(stdout, shellLine(PODMAN_ALL_CONTAINERS)).flatMap((entry) => {
    const container = asRecord(entry);
    const name = asStringArray(container.Names)[0] ?? asString(container.Id) ?? '';
    const state = asString(container.State) ?? 'unknown';
    return asArray(container.Ports).map((port) => {
      const record = asRecord(port);
      const request: PortRequest = {
        container: name,
        state,
        hostPort: typeof record.host_port === 'number' ? record.host_port : 0,
        containerPort: typeof record.container_port === 'number' ? record.container_port : 0,
        protocol: asString(record.protocol) ?? 'tcp',
      };
      const hostIp = asString(record.host_ip);
      if (hostIp) request.hostIp = hostIp;
      return request;
    });
  });
}

export const podmanPortRequests = defineFact<Listing<PortRequest>>('podman:port-requests', async (facts) => {
  const state = await facts.get(podmanState);
  if (state.kind !== 'ok') return { ok: false, reason: 'podman cannot be used' };
  const result = await facts.host.run(PODMAN_ALL_CONTAINERS);
  if (result.exitCode !== 0) return { ok: false, reason: failureReason(result) };
  try {
    return { ok: true, items: parsePodmanPsPorts(result.stdout), command: shellLine(PODMAN_ALL_CONTAINERS) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
});
