import { defineFact } from '../core/facts.js';
import { describeError, type Readable } from './files.js';

export const CONNTRACK_STATISTICS = '/proc/net/stat/nf_conntrack';

export interface ConntrackStatistics {
  path: string;
  /** New connections the kernel could not track (a full table, or a helper's verdict), summed over CPUs. */
  drop: number;
  /** Entries evicted to make room in a full table. */
  earlyDrop: number;
  cpus: number;
}

/**
 * /proc/net/stat/nf_conntrack: a header of column names, then one line of hexadecimal counters per CPU. The
 * columns differ between kernels, so they are found by name.
 */
export function parseConntrackStatistics(path: string, content: string): ConntrackStatistics | undefined {
  const [header, ...rows] = content.split('\n').filter((line) => line.trim() !== '');
  if (header === undefined) return undefined;
  const columns = header.trim().split(/\s+/);
  const dropColumn = columns.indexOf('drop');
  const earlyDropColumn = columns.indexOf('early_drop');
  if (dropColumn < 0 || earlyDropColumn < 0) return undefined;
  const statistics: ConntrackStatistics = { path, drop: 0, earlyDrop: 0, cpus: 0 };
  for (const row of rows) {
    const values = row.trim().split(/\s+/);
    const drop = parseInt(values[dropColumn] ?? '', 16);
    const earlyDrop = parseInt(values[earlyDropColumn] ?? '', 16);
    if (Number.isNaN(drop) || Number.isNaN(earlyDrop)) return undefined;
    statistics.drop += drop;
    statistics.earlyDrop += earlyDrop;
    statistics.cpus += 1;
  }
  return statistics;
}

export const conntrackStatistics = defineFact<Readable<ConntrackStatistics>>(
  'host:conntrack-statistics',
  async ({ host }) => {
    const file = await host.readFile(CONNTRACK_STATISTICS);
    if (!file.ok) return { ok: false, code: file.error.code, reason: describeError(file.path, file.error) };
    const parsed = parseConntrackStatistics(file.path, file.content);
    if (parsed === undefined)
      return { ok: false, code: 'EPARSE', reason: `${file.path} has no drop and early_drop columns` };
    return { ok: true, value: parsed };
  },
);
