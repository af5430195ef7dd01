import { defineFact } from '../core/facts.js';
import { answeringNotRecorded, type FileResult, type HostError, type StatResult } from '../core/host.js';
import type { PlatformContext } from '../core/report.js';
import { describeError } from './files.js';

/**
 * What kind of machine this is, for the report's context: the same facts systeminformation's system(), osInfo(),
 * cpu() and mem() give, read from the same files, but through the host door so that a snapshot holds them and a
 * replay shows them. (systeminformation itself runs shell strings and reads files behind the door's back.)
 */
export type HostPlatform = PlatformContext;

export const PLATFORM_FILES = {
  osRelease: '/etc/os-release',
  osrelease: '/proc/sys/kernel/osrelease',
  cpuinfo: '/proc/cpuinfo',
  meminfo: '/proc/meminfo',
  sysVendor: '/sys/class/dmi/id/sys_vendor',
  productName: '/sys/class/dmi/id/product_name',
  hypervisorType: '/sys/hypervisor/type',
  systemdContainer: '/run/systemd/container',
} as const;

export const CONTAINER_MARKERS = { podman: '/run/.containerenv', docker: '/.dockerenv' } as const;

export function parseOsReleaseFields(content: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

export function distribution(osRelease: string): string | undefined {
  const fields = parseOsReleaseFields(osRelease);
  if (fields.ID === undefined) return undefined;
  return fields.VERSION_ID === undefined ? fields.ID : `${fields.ID} ${fields.VERSION_ID}`;
}

export interface CpuInfo {
  model?: string;
  count: number;
  hypervisorFlag: boolean;
}

export function parseCpuinfo(content: string): CpuInfo {
  const value = (line: string) => line.slice(line.indexOf(':') + 1).trim();
  const lines = content.split('\n');
  const model = lines.find((line) => /^(model name|Model|cpu model|Processor)\s*:/.test(line));
  const flags = lines.find((line) => /^(flags|Features)\s*:/.test(line));
  return {
    ...(model === undefined ? {} : { model: value(model) }),
    count: lines.filter((line) => /^processor\s*:/.test(line)).length,
    hypervisorFlag: flags !== undefined && /\bhypervisor\b/.test(value(flags)),
  };
}

export function parseMemTotal(content: string): number | undefined {
  const match = /^MemTotal:\s+(\d+)\s*kB/m.exec(content);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** The hypervisor a DMI vendor and product name point to, as systemd-detect-virt and systeminformation name them. */
export function hypervisorFromDmi(vendor: string, product: string): string | undefined {
  const text = `${vendor} ${product}`.toLowerCase();
  const known: [RegExp, string][] = [
    [/\bkvm\b/, 'kvm'],
    [/\bqemu\b/, 'qemu'],
    [/vmware/, 'vmware'],
    [/virtualbox|innotek/, 'virtualbox'],
    [/microsoft corporation.*virtual machine/, 'hyper-v'],
    [/\bxen\b/, 'xen'],
    [/amazon ec2/, 'amazon'],
    [/google compute engine/, 'google'],
    [/openstack/, 'openstack'],
    [/parallels/, 'parallels'],
    [/bochs/, 'bochs'],
  ];
  return known.find(([pattern]) => pattern.test(text))?.[1];
}

/** WSL kernels carry "microsoft" in their release (5.15.90.1-microsoft-standard-WSL2): systeminformation's test. */
export function isWslKernel(release: string): boolean {
  return /microsoft/i.test(release) || /wsl2?$/i.test(release.trim());
}

function failure(path: string, error: HostError): string | undefined {
  return error.code === 'ENOENT' ? undefined : describeError(path, error);
}

function content(result: FileResult, unread: string[]): string | undefined {
  if (result.ok) return result.content;
  const reason = failure(result.path, result.error);
  if (reason !== undefined) unread.push(reason);
  return undefined;
}

function exists(result: StatResult, unread: string[]): boolean | undefined {
  if (result.ok) return true;
  const reason = failure(result.path, result.error);
  if (reason === undefined) return false;
  unread.push(reason);
  return undefined;
}

export const hostPlatform = defineFact<HostPlatform>('host:platform', async (facts) => {
  // The platform is context for the report's header: what a snapshot did not record goes to `unread` like any
  // other file that could not be read.
  const host = answeringNotRecorded(facts.host);
  const files = PLATFORM_FILES;
  const [osRelease, osrelease, cpuinfo, meminfo, sysVendor, productName, hypervisorType, systemdContainer] =
    await Promise.all(
      [
        files.osRelease,
        files.osrelease,
        files.cpuinfo,
        files.meminfo,
        files.sysVendor,
        files.productName,
        files.hypervisorType,
        files.systemdContainer,
      ].map((path) => host.readFile(path)),
    );
  const [podmanMarker, dockerMarker] = await Promise.all([
    host.stat(CONTAINER_MARKERS.podman),
    host.stat(CONTAINER_MARKERS.docker),
  ]);
  const unread: string[] = [];
  const platform: HostPlatform = { unread };

  const release = content(osRelease!, unread);
  const distro = release === undefined ? undefined : distribution(release);
  if (distro !== undefined) platform.distribution = distro;

  const kernel = content(osrelease!, unread);
  if (kernel !== undefined) platform.wsl = isWslKernel(kernel);

  const cpu = content(cpuinfo!, unread);
  const parsedCpu = cpu === undefined ? undefined : parseCpuinfo(cpu);
  if (parsedCpu?.model !== undefined) platform.cpuModel = parsedCpu.model;
  if (parsedCpu !== undefined && parsedCpu.count > 0) platform.cpus = parsedCpu.count;

  const memory = content(meminfo!, unread);
  const total = memory === undefined ? undefined : parseMemTotal(memory);
  if (total !== undefined) platform.memoryBytes = total;

  const vendor = content(sysVendor!, unread)?.trim() ?? '';
  const product = content(productName!, unread)?.trim() ?? '';
  const xen = content(hypervisorType!, unread)?.trim();
  const named = hypervisorFromDmi(vendor, product) ?? (xen === 'xen' ? 'xen' : undefined);
  if (named !== undefined) platform.virtualization = named;
  else if (parsedCpu?.hypervisorFlag) platform.virtualization = 'unnamed hypervisor';
  else if (platform.wsl === true) platform.virtualization = 'hyper-v';
  else if (parsedCpu !== undefined) platform.virtualization = 'none';

  const systemdSays = content(systemdContainer!, unread)?.trim();
  const podman = exists(podmanMarker!, unread);
  const docker = exists(dockerMarker!, unread);
  if (systemdSays) platform.container = systemdSays;
  else if (podman) platform.container = 'podman';
  else if (docker) platform.container = 'docker';
  else if (podman === false && docker === false) platform.container = 'none';
  return platform;
});
