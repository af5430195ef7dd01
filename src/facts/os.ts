import { defineFact } from '../core/facts.js';

export interface OsInfo {
  os: string;
  kernel: string;
}

export function parseOsRelease(content: string): string | undefined {
  const line = content.split('\n').find((candidate) => candidate.startsWith('PRETTY_NAME='));
  return line?.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '');
}

export const osInfo = defineFact<OsInfo>('host:os', async ({ host }) => {
  const [release, kernel] = await Promise.all([
    host.readFile('/etc/os-release'),
    host.readFile('/proc/sys/kernel/osrelease'),
  ]);
  return {
    os: (release.ok ? parseOsRelease(release.content) : undefined) ?? 'unknown',
    kernel: kernel.ok ? kernel.content.trim() : 'unknown',
  };
});
