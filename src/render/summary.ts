import type { PlatformContext, Report } from '../core/report.js';
import type { CheckResult, Finding, Severity, Subject } from '../core/types.js';
import { SEVERITY_ORDER } from './paint.js';

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Most severe first; findings of one severity keep their order. Reports before schema 2 were not sorted. */
export function sortedFindings(report: Report): Finding[] {
  return [...report.findings].sort(
    (left, right) => SEVERITY_ORDER.indexOf(left.severity) - SEVERITY_ORDER.indexOf(right.severity),
  );
}

export type Outcome = 'broken' | 'warning' | 'incomplete' | 'healthy';

export function outcomeOf(report: Report): Outcome {
  const { findings, checks } = report.summary;
  if (findings.error > 0) return 'broken';
  if (findings.warning > 0) return 'warning';
  if (checks.error > 0) return 'incomplete';
  return 'healthy';
}

function firstOf(findings: readonly Finding[], severity: Severity): Finding | undefined {
  return findings.find((item) => item.severity === severity);
}

/** The verdict in one line, naming the most severe finding: what a person reads first. */
export function verdictLine(report: Report): string {
  const findings = sortedFindings(report);
  const { findings: counts, checks } = report.summary;
  const more = (count: number, word: string) => (count > 1 ? ` (and ${plural(count - 1, `more ${word}`)})` : '');
  switch (outcomeOf(report)) {
    case 'broken':
      return `Container networking is broken: ${firstOf(findings, 'error')!.title}${more(counts.error, 'error')}`;
    case 'warning':
      return `No error, but a warning: ${firstOf(findings, 'warning')!.title}${more(counts.warning, 'warning')}`;
    case 'incomplete':
      return `No fault found, but the diagnosis is incomplete: ${plural(checks.error, 'check')} did not finish`;
    case 'healthy':
      return counts.info > 0
        ? `No fault found in container networking (${plural(counts.info, 'note')} below)`
        : 'No fault found in container networking';
  }
}

export function countsLine(report: Report): string {
  const { findings, checks } = report.summary;
  return [
    `${plural(findings.error, 'error')}, ${plural(findings.warning, 'warning')}, ${findings.info} info`,
    `checks: ${checks.pass} ok, ${checks.fail} failed, ${checks.warn} warned, ${checks.skip} skipped, ${checks.error} errored`,
    `${report.durationMs} ms`,
  ].join(' · ');
}

export function describeSubject(subject: Subject): string {
  const parts: string[] = [];
  if (subject.engine)
    parts.push(
      subject.scope
        ? `${subject.engine} (${subject.scope}${subject.user ? `, user ${subject.user}` : ''})`
        : subject.engine,
    );
  if (subject.network) parts.push(`network ${subject.network}`);
  if (subject.interface) parts.push(`interface ${subject.interface}`);
  if (subject.containers && subject.containers.length > 0) parts.push(`containers ${subject.containers.join(', ')}`);
  if (subject.namespaces && subject.namespaces.length > 0) parts.push(`namespaces ${subject.namespaces.join(', ')}`);
  if (subject.path) parts.push(subject.path);
  return parts.join(', ') || 'host';
}

/**
 * Each finding's explanation, printed once per id: a later finding of the same id refers to the first and adds
 * only what it says beyond it (the host-specific detail after the shared wording).
 */
export function explanationsOncePerId(findings: readonly Finding[]): string[] {
  const first = new Map<string, number>();
  return findings.map((item, index) => {
    const earlier = first.get(item.id);
    if (earlier === undefined) {
      first.set(item.id, index);
      return item.explanation;
    }
    const shared = findings[earlier]!.explanation;
    let cut = 0;
    while (cut < shared.length && cut < item.explanation.length && shared[cut] === item.explanation[cut]) cut += 1;
    if (cut < shared.length || cut < item.explanation.length) {
      const sentenceEnd = item.explanation.lastIndexOf('. ', cut);
      if (sentenceEnd < 0) return item.explanation;
      cut = sentenceEnd + 1;
    }
    const rest = item.explanation.slice(cut).trim();
    return `As in ${earlier + 1}.${rest === '' ? '' : ` ${rest}`}`;
  });
}

export function engineLine(report: Report): string {
  const engines = report.engines.map((engine) =>
    `${engine.engine} ${engine.version ?? ''} ${engine.scope}${engine.networkBackend ? ` ${engine.networkBackend}` : ''}${engine.reachable ? '' : ' (unreachable)'}`.replace(
      /\s+/g,
      ' ',
    ),
  );
  return engines.join(', ') || 'none found';
}

/** What says netdoctor runs in a container: a marker file can outlive the container it came from (an image). */
const CONTAINER_MARKER: Record<string, string> = {
  docker: ' (/.dockerenv exists)',
  podman: ' (/run/.containerenv exists)',
};

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The host's platform in a few words: "debian 12, kvm, 2 × AMD EPYC, 23.5 GiB". */
export function platformLine(platform: PlatformContext | undefined): string | undefined {
  if (platform === undefined) return undefined;
  const parts: string[] = [];
  if (platform.distribution !== undefined) parts.push(platform.distribution);
  if (platform.virtualization !== undefined)
    parts.push(
      platform.virtualization === 'none' ? 'no virtualization' : `virtual machine (${platform.virtualization})`,
    );
  if (platform.wsl === true) parts.push('WSL');
  if (platform.container !== undefined && platform.container !== 'none')
    parts.push(`in a ${platform.container} container${CONTAINER_MARKER[platform.container] ?? ''}`);
  if (platform.cpus !== undefined || platform.cpuModel !== undefined)
    parts.push(`${platform.cpus ?? '?'} × ${platform.cpuModel ?? 'CPU'}`);
  if (platform.memoryBytes !== undefined) parts.push(gib(platform.memoryBytes));
  if (platform.unread.length > 0)
    parts.push(
      platform.unread.every((reason) => reason.includes('was not recorded'))
        ? 'the rest was not recorded in the snapshot'
        : `not read: ${platform.unread.join('; ')}`,
    );
  return parts.join(', ');
}

/** Checks that need a person's eye besides the findings: those that could not decide and those that errored. */
export function undecidedChecks(report: Report): CheckResult[] {
  return report.checks.filter(
    (check) => check.status === 'error' || (check.status === 'skip' && check.skip === 'cannot_decide'),
  );
}

export interface UndecidedGroup {
  status: 'error' | 'skip';
  /** "could not decide: REASON", or the error's reason. */
  text: string;
  ids: string[];
}

/** Undecided checks grouped by their reason: one missing permission often stops several checks alike. */
export function undecidedGroups(report: Report): UndecidedGroup[] {
  const groups = new Map<string, UndecidedGroup>();
  for (const check of undecidedChecks(report)) {
    const status = check.status === 'error' ? 'error' : 'skip';
    const text = status === 'error' ? (check.reason ?? 'errored') : `could not decide: ${check.reason ?? ''}`;
    const key = `${status}\u0000${text}`;
    const group = groups.get(key);
    if (group) group.ids.push(check.id);
    else groups.set(key, { status, text, ids: [check.id] });
  }
  return [...groups.values()];
}
