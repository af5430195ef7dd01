import { describe, expect, it } from 'vitest';
import type { Check } from '../../src/core/check.js';
import { Facts } from '../../src/core/facts.js';
import type { CheckResult, CheckStatus, Evidence, Finding, Severity, SkipKind, Subject } from '../../src/core/types.js';
import type { PairCheck } from '../../src/pair/check.js';
import { probePair } from '../../src/pair/diagnose.js';
import { runChecks } from '../../src/pipeline/runner.js';
import { recordedHost, type Recording } from './recordings.js';

/** A value, or a pattern (RegExp) a text must match, or any vitest asymmetric matcher. */
type Like<T> = T extends string
  ? string | RegExp | ReturnType<typeof expect.stringContaining>
  : T extends (infer Item)[]
    ? readonly Like<Item>[] | ReturnType<typeof expect.arrayContaining>
    : T extends object
      ? { [Key in keyof T]?: Like<T[Key]> }
      : T;

/** A finding the check must report: its id and severity, and whatever else the case pins down (title, subject...). */
export interface FindingShape {
  id: string;
  severity: Severity;
  title?: Like<string>;
  explanation?: Like<string>;
  subject?: Like<Subject>;
  evidence?: Like<Evidence[]>;
  fix?: Like<{ summary: string; commands: string[] }>;
}

/** Findings that must be gone: every finding of this id (at this severity, naming this network). */
export interface GoneFinding {
  id: string;
  severity?: Severity;
  /** Only findings whose subject names this network (a subject may list several, comma-separated). */
  network?: string;
}

/** What the check's result must be besides its findings. */
export interface ResultShape {
  status?: CheckStatus;
  skip?: SkipKind;
  reason?: Like<string>;
  summary?: Like<string>;
}

/**
 * One row of a check's table: the recording it runs on, and what it must report there. A broken state `shows`
 * the findings the lab proved; a fixed or healthy one has them `gone` (or `passes`: no finding and no limit).
 */
export interface CheckCase {
  on: Recording;
  shows?: FindingShape[];
  /** The check reports nothing but what `shows` lists. */
  nothingElse?: true;
  gone?: (string | GoneFinding)[];
  /** No finding at all, status pass, and nothing that limited the check. */
  passes?: true;
  result?: ResultShape;
}

expect.extend({
  startingWith(received: unknown, ...items: unknown[]) {
    const pass =
      Array.isArray(received) &&
      received.length >= items.length &&
      items.every((item, index) => this.equals(received[index], item));
    return {
      pass,
      message: () => `expected ${this.utils.printReceived(received)} to start with ${this.utils.printExpected(items)}`,
    };
  },
  endingWith(received: unknown, ...items: unknown[]) {
    const offset = Array.isArray(received) ? received.length - items.length : -1;
    const pass =
      Array.isArray(received) &&
      offset >= 0 &&
      items.every((item, index) => this.equals(received[offset + index], item));
    return {
      pass,
      message: () => `expected ${this.utils.printReceived(received)} to end with ${this.utils.printExpected(items)}`,
    };
  },
  containingAll(received: unknown, ...parts: string[]) {
    const pass = typeof received === 'string' && parts.every((part) => received.includes(part));
    return {
      pass,
      message: () =>
        `expected ${this.utils.printReceived(received)} to contain each of ${this.utils.printExpected(parts)}`,
    };
  },
});

declare module 'vitest' {
  interface AsymmetricMatchersContaining {
    startingWith(...items: unknown[]): unknown;
    endingWith(...items: unknown[]): unknown;
    containingAll(...parts: string[]): unknown;
  }
}

type ListMatcher = ReturnType<typeof expect.arrayContaining>;
type TextMatcher = ReturnType<typeof expect.stringContaining>;

/** A list whose first items are these (each matched as a shape is), where the case pins only the first ones. */
export function startingWith(...items: unknown[]): ListMatcher {
  return expect.startingWith(...items.map(like)) as ListMatcher;
}

/** A list whose last items are these (each matched as a shape is). */
export function endingWith(...items: unknown[]): ListMatcher {
  return expect.endingWith(...items.map(like)) as ListMatcher;
}

/** A text that contains each of these parts. */
export function containing(...parts: string[]): TextMatcher {
  return expect.containingAll(...parts) as TextMatcher;
}

/** A text whose first line is this one. */
export function firstLine(line: string): TextMatcher {
  return expect.stringMatching(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\n|$)`)) as TextMatcher;
}

/** Wraps plain objects in objectContaining and patterns in stringMatching: a shape matches as toMatchObject would. */
function like(shape: unknown): unknown {
  if (shape instanceof RegExp) return expect.stringMatching(shape);
  if (Array.isArray(shape)) return shape.map(like);
  if (typeof shape === 'object' && shape !== null) {
    if (typeof (shape as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') return shape;
    return expect.objectContaining(Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, like(value)])));
  }
  return shape;
}

function names(finding: Finding, network: string): boolean {
  return (finding.subject.network ?? '').split(/,\s*/).includes(network);
}

function isGone(finding: Finding, gone: string | GoneFinding): boolean {
  const filter = typeof gone === 'string' ? { id: gone } : gone;
  return (
    finding.id === filter.id &&
    (filter.severity === undefined || finding.severity === filter.severity) &&
    (filter.network === undefined || names(finding, filter.network))
  );
}

function isPairCheck(check: Check | PairCheck): check is PairCheck {
  return 'pathOrder' in check;
}

/** Runs the check alone on the recording; a pair check on what `why` learned about the recorded pair. */
async function runOn(check: Check | PairCheck, recording: Recording): Promise<CheckResult> {
  const host = recordedHost(recording);
  const context = {
    host,
    facts: new Facts(host),
    ...(recording.probes !== undefined ? { probes: recording.probes } : {}),
  };
  if (isPairCheck(check)) {
    if (recording.request === undefined) {
      throw new Error(`${recording.name} is no recording of netdoctor why: a pair check needs one`);
    }
    const { analysis } = await probePair(context.facts, recording.request);
    const [result] = await runChecks([check], { ...context, analysis });
    return result!;
  }
  const [result] = await runChecks([check], context);
  return result!;
}

function describeCase(testCase: CheckCase): string {
  const parts: string[] = [];
  if (testCase.shows !== undefined) {
    const shown = testCase.shows.map((shape) => `${shape.id} (${shape.severity})`);
    parts.push(
      shown.length === 0
        ? 'reports nothing'
        : `reports ${shown.join(', ')}${testCase.nothingElse ? ' and nothing else' : ''}`,
    );
  }
  for (const gone of testCase.gone ?? []) {
    const filter = typeof gone === 'string' ? { id: gone } : gone;
    parts.push(
      `${filter.severity === undefined ? filter.id : `${filter.id} at ${filter.severity}`}${filter.network === undefined ? '' : ` on ${filter.network}`} is gone`,
    );
  }
  if (testCase.passes) parts.push('passes');
  if (testCase.result?.skip !== undefined) parts.push(`skips: ${testCase.result.skip}`);
  else if (testCase.result?.status !== undefined) parts.push(`status ${testCase.result.status}`);
  return `${testCase.on.name}: ${parts.join('; ')}`;
}

/**
 * The table of what one check must do: each case runs the check alone on its recording, then holds its result
 * to the case. Every case also requires that the check did not error and that each finding shows its evidence.
 */
export function checkCases(check: Check | PairCheck, cases: readonly CheckCase[]): void {
  describe(check.id, () => {
    it.each(cases.map((testCase) => [describeCase(testCase), testCase] as const))('%s', async (_, testCase) => {
      const result = await runOn(check, testCase.on);
      const found = result.findings;
      const seen = JSON.stringify(found.map((item) => `${item.id} ${item.severity}: ${item.title}`));
      expect(result.status, result.reason).not.toBe('error');
      for (const item of found) expect(item.evidence.length, `${item.id} has no evidence`).toBeGreaterThan(0);
      for (const shape of testCase.shows ?? []) expect(found, seen).toContainEqual(like(shape));
      if (testCase.nothingElse) expect(found, seen).toHaveLength(testCase.shows?.length ?? 0);
      for (const gone of testCase.gone ?? [])
        expect(
          found.filter((item) => isGone(item, gone)).map((item) => `${item.id} ${item.severity}: ${item.title}`),
        ).toEqual([]);
      if (testCase.passes) {
        expect(found, seen).toEqual([]);
        expect(result).toMatchObject({ status: 'pass' });
        expect(result.reason).toBeUndefined();
      }
      if (testCase.result !== undefined) expect(result).toEqual(like(testCase.result));
    });
  });
}
