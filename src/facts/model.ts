import type { EngineName, Scope } from '../core/types.js';

export interface Subnet {
  subnet: string;
  gateway?: string;
}

/** A container network, the same shape for docker, podman with netavark and podman with CNI. */
export interface ContainerNetwork {
  engine: EngineName;
  scope: Scope;
  name: string;
  id: string;
  driver: string;
  subnets: Subnet[];
  /** The host bridge interface (docker0, br-1234, podman1, cni-podman0). */
  bridge?: string;
  dnsEnabled: boolean;
  internal: boolean;
  /** Docker's `bridge`, Podman's `podman`: no name resolution on them. */
  isDefault: boolean;
  options: Record<string, string>;
}

export interface ContainerAttachment {
  network: string;
  ipAddress?: string;
  gateway?: string;
}

export interface Container {
  engine: EngineName;
  scope: Scope;
  id: string;
  name: string;
  /** The image it was created from, as the engine names it. */
  image: string;
  state: string;
  running: boolean;
  pid?: number;
  /** bridge, host, none, slirp4netns, container:<id>, a network name, ... */
  networkMode: string;
  networks: ContainerAttachment[];
  /** Effective capabilities as the engine reports them (podman), e.g. CAP_NET_RAW. */
  effectiveCaps?: string[];
  capAdd: string[];
  capDrop: string[];
  publishedPorts: { hostIp?: string; hostPort: number; containerPort: number; protocol: string }[];
  /** The host file mounted as the container's /etc/resolv.conf. */
  resolvConfPath?: string;
  /** DNS servers given to this container alone (--dns). */
  dns: string[];
}

export class EngineOutputError extends Error {}

/** Parses JSON printed by an engine CLI; a message names the command when it is not JSON. */
export function parseEngineJson(text: string, command: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new EngineOutputError(`\`${command}\` printed nothing`);
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw new EngineOutputError(`\`${command}\` printed output that is not JSON (${(error as Error).message})`);
  }
}

/** A JSON list printed by an engine CLI; `null` (podman's answer for nothing) is an empty list. */
export function parseEngineJsonList(text: string, command: string): unknown[] {
  const data = parseEngineJson(text, command);
  if (data === null) return [];
  if (!Array.isArray(data)) throw new EngineOutputError(`\`${command}\` printed JSON that is not a list`);
  return data;
}

/** `docker ... --format '{{json .}}'` prints one JSON object per line. */
export function parseJsonLines(text: string, command: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseEngineJson(line, command));
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asStringArray(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string');
}

export function asStringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(asRecord(value))) {
    if (typeof item === 'string') result[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') result[key] = String(item);
  }
  return result;
}

/**
 * Docker and podman print the same inspect structure (State, HostConfig, NetworkSettings); they differ in
 * how they name the container and its image, and only podman reports effective capabilities.
 */
export function containerFromInspect(
  container: Record<string, unknown>,
  identity: { engine: EngineName; scope: Scope; name: string; image: string },
): Container {
  const state = asRecord(container.State);
  const hostConfig = asRecord(container.HostConfig);
  const settings = asRecord(container.NetworkSettings);
  const result: Container = {
    ...identity,
    id: asString(container.Id) ?? '',
    state: asString(state.Status) ?? 'unknown',
    running: state.Running === true,
    networkMode: asString(hostConfig.NetworkMode) ?? '',
    networks: Object.entries(asRecord(settings.Networks)).map(([network, value]) => {
      const attachment = asRecord(value);
      return {
        network,
        ipAddress: asString(attachment.IPAddress) || undefined,
        gateway: asString(attachment.Gateway) || undefined,
      };
    }),
    capAdd: asStringArray(hostConfig.CapAdd),
    dns: asStringArray(hostConfig.Dns),
    capDrop: asStringArray(hostConfig.CapDrop),
    publishedPorts: Object.entries(asRecord(settings.Ports)).flatMap(([key, bindings]) => {
      const [port, protocol = 'tcp'] = key.split('/');
      return asArray(bindings).map((binding) => {
        const record = asRecord(binding);
        return {
          hostIp: asString(record.HostIp) || undefined,
          hostPort: Number(asString(record.HostPort)),
          containerPort: Number(port),
          protocol,
        };
      });
    }),
  };
  if (typeof state.Pid === 'number' && state.Pid > 0) result.pid = state.Pid;
  const resolvConfPath = asString(container.ResolvConfPath);
  if (resolvConfPath) result.resolvConfPath = resolvConfPath;
  if (Array.isArray(container.EffectiveCaps)) result.effectiveCaps = asStringArray(container.EffectiveCaps);
  return result;
}

/** The running containers attached to any of these networks. */
export function runningOn(containers: readonly Container[], networkNames: readonly string[]): Container[] {
  return containers.filter(
    (container) =>
      container.running && container.networks.some((attachment) => networkNames.includes(attachment.network)),
  );
}
