import { describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import { runCheck, runChecks } from '../../src/pipeline/runner.js';
import type { Finding, Severity } from '../../src/core/types.js';
import type { Check, CheckContext, CheckOutcome } from '../../src/core/check.js';
import { FakeHost } from '../helpers/fake-host.js';

function context(): CheckContext {
  const host = new FakeHost();
  return { host, facts: new Facts(host) };
}

function check(id: string, run: Check['run'], ids: string[] = ['test.something_wrong']): Check {
  const wording = {
    severity: 'warning',
    title: 'something is wrong',
    explanation: 'It breaks.',
    cause: 'A test.',
    fix: 'Mend it.',
    docs: 'https://example.invalid/docs',
  } as const;
  return {
    id,
    title: `check ${id}`,
    findings: Object.fromEntries(ids.map((findingId) => [findingId, wording])),
    docs: 'https://example.invalid/docs',
    run,
  };
}

function aFinding(severity: Severity = 'warning', id = 'test.something_wrong'): Finding {
  return {
    id,
    severity,
    title: 'Something is wrong',
    explanation: 'Because a test says so.',
    subject: { engine: 'podman', scope: 'rootless', user: 'ndlab' },
    evidence: [{ source: 'file', what: '/etc/hostname', excerpt: 'vm' }],
    fix: { summary: 'Make it right.', commands: ['true'] },
    docs: 'https://example.invalid/docs',
  };
}

/** A check whose run returns whatever a plug-in might return, typed or not. */
function returning(outcome: unknown): Check {
  return check('test.returns', async () => outcome as CheckOutcome);
}

describe('runChecks', () => {
  it('runs checks concurrently: a check can wait for another that comes after it', async () => {
    let unblock = () => {};
    const unblocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const waiter = check('test.waiter', async () => {
      await unblocked;
      return { findings: [], summary: 'was unblocked' };
    });
    const unblocker = check('test.unblocker', async () => {
      unblock();
      return { findings: [], summary: 'unblocked the other' };
    });
    // Run one after the other, the waiter would hang until the timeout and error.
    const results = await runChecks([waiter, unblocker], context(), { timeoutMs: 2000 });
    expect(results.map((result) => [result.id, result.status, result.summary])).toEqual([
      ['test.waiter', 'pass', 'was unblocked'],
      ['test.unblocker', 'pass', 'unblocked the other'],
    ]);
  });

  it('keeps the order of the checks and reports each finished one', async () => {
    let finishSlow = () => {};
    const slowGate = new Promise<void>((resolve) => {
      finishSlow = resolve;
    });
    const slow = check('test.slow', async () => (await slowGate, { findings: [] }));
    const fast = check('test.fast', async () => ({ findings: [] }));
    const progress: string[] = [];
    const results = await runChecks([slow, fast], context(), {
      onResult: (result, done, total) => {
        progress.push(`${result.id} ${done}/${total}`);
        if (result.id === 'test.fast') finishSlow();
      },
    });
    expect(results.map((result) => result.id)).toEqual(['test.slow', 'test.fast']);
    expect(progress).toEqual(['test.fast 1/2', 'test.slow 2/2']);
  });

  it('goes on when a check errors: the others still report', async () => {
    const results = await runChecks(
      [
        check('test.crashes', async () => Promise.reject(new Error('boom'))),
        check('test.fine', async () => ({ findings: [aFinding('error')] })),
      ],
      context(),
    );
    expect(results.map((result) => result.status)).toEqual(['error', 'fail']);
  });
});

describe('runCheck statuses', () => {
  it.each([
    ['no finding', [], 'pass'],
    ['an info', [aFinding('info')], 'pass'],
    ['an info and a warning', [aFinding('info'), aFinding('warning')], 'warn'],
    ['a warning and an error', [aFinding('warning'), aFinding('error')], 'fail'],
  ] as const)('turns %s into status %s', async (_what, findings, status) => {
    const result = await runCheck(returning({ findings, summary: 'looked' }), context(), 1000);
    expect(result).toMatchObject({ status, summary: 'looked', findings });
  });

  it('keeps what limited a check that still decided', async () => {
    const result = await runCheck(
      returning({ findings: [], summary: 'looked', reason: 'could not read /etc/x' }),
      context(),
      1000,
    );
    expect(result).toMatchObject({ status: 'pass', summary: 'looked', reason: 'could not read /etc/x' });
  });

  it.each(['not_applicable', 'cannot_decide'] as const)(
    'reports a skip of kind %s with its reason and no findings',
    async (kind) => {
      const result = await runCheck(returning({ skip: kind, reason: 'because' }), context(), 1000);
      expect(result).toEqual({
        id: 'test.returns',
        title: 'check test.returns',
        status: 'skip',
        skip: kind,
        reason: 'because',
        durationMs: expect.any(Number),
        findings: [],
      });
    },
  );

  it('names where a plug-in came from', async () => {
    const result = await runCheck(
      { ...returning({ findings: [] }), source: '/etc/netdoctor/checks/site.mjs' },
      context(),
      1000,
    );
    expect(result.source).toBe('/etc/netdoctor/checks/site.mjs');
  });
});

describe('runCheck errors', () => {
  it('turns a thrown error into status error with its message', async () => {
    const result = await runCheck(
      check('test.throws', async () => {
        throw new Error('cannot parse the frobnicator');
      }),
      context(),
      1000,
    );
    expect(result).toMatchObject({
      status: 'error',
      reason: 'the check crashed: cannot parse the frobnicator',
      findings: [],
    });
  });

  it('catches a run that throws before returning a promise', async () => {
    const synchronous = check('test.sync', (() => {
      throw new TypeError('not a function');
    }) as Check['run']);
    expect(await runCheck(synchronous, context(), 1000)).toMatchObject({
      status: 'error',
      reason: 'the check crashed: not a function',
    });
  });

  it('gives up on a hanging check after the timeout', async () => {
    const hangs = check('test.hangs', () => new Promise<CheckOutcome>(() => {}));
    expect(await runCheck(hangs, context(), 50)).toMatchObject({
      status: 'error',
      reason: 'did not finish within 0.05 s',
      findings: [],
    });
  });

  it('refuses a finding id the check does not declare', async () => {
    const result = await runCheck(
      returning({ findings: [aFinding('warning', 'test.undeclared_thing')] }),
      context(),
      1000,
    );
    expect(result).toMatchObject({
      status: 'error',
      reason: 'the check reported test.undeclared_thing, which it does not declare',
      findings: [],
    });
  });

  it.each([
    ['neither findings nor a skip', { summary: 'hello' }, 'the check returned neither findings nor a skip'],
    ['nothing', undefined, 'the check returned neither findings nor a skip'],
    [
      'an unknown skip kind',
      { skip: 'maybe', reason: 'x' },
      'the check skipped with kind maybe; the kinds are not_applicable and cannot_decide',
    ],
    ['a skip without a reason', { skip: 'cannot_decide' }, 'the check skipped without a reason'],
    [
      'a summary that is not text',
      { findings: [], summary: 42 },
      'the check returned a summary or reason that is not text',
    ],
  ])('refuses an outcome with %s', async (_what, outcome, reason) => {
    expect(await runCheck(returning(outcome), context(), 1000)).toMatchObject({
      status: 'error',
      reason,
      findings: [],
    });
  });

  const broken = (change: (item: Record<string, unknown>) => void) => {
    const item = aFinding() as unknown as Record<string, unknown>;
    change(item);
    return item;
  };
  it.each([
    [
      'an id that is not area.condition',
      broken((item) => (item.id = 'SomethingWrong')),
      'finding id SomethingWrong is not of the form area.condition',
    ],
    [
      'an unknown severity',
      broken((item) => (item.severity = 'fatal')),
      'finding test.something_wrong has severity fatal',
    ],
    [
      'no explanation',
      broken((item) => delete item.explanation),
      'finding test.something_wrong needs title, explanation and docs',
    ],
    ['no subject', broken((item) => delete item.subject), 'finding test.something_wrong needs evidence and a subject'],
    [
      'no fix summary',
      broken((item) => (item.fix = { commands: [] })),
      'finding test.something_wrong needs fix.summary and fix.commands',
    ],
    [
      'a fix command that is not text',
      broken((item) => (item.fix = { summary: 's', commands: [['rm']] })),
      'finding test.something_wrong needs fix.summary and fix.commands',
    ],
    [
      'evidence of an unknown source',
      broken((item) => (item.evidence = [{ source: 'guess', what: 'x', excerpt: 'y' }])),
      'finding test.something_wrong has evidence that is not {source, what, excerpt} with source command, file, directory, stat or process',
    ],
    [
      'a field the report does not have',
      broken((item) => (item.severityScore = 3)),
      'finding test.something_wrong has unknown fields: severityScore',
    ],
    [
      'a subject field the report does not have',
      broken((item) => (item.subject = { container: 'web' })),
      'finding test.something_wrong has unknown subject fields: container',
    ],
    ['a finding that is not an object', 'warning: disk full', 'a finding is not an object'],
  ])('refuses a finding with %s', async (_what, item, reason) => {
    expect(await runCheck(returning({ findings: [item] }), context(), 1000)).toMatchObject({
      status: 'error',
      reason,
      findings: [],
    });
  });
});
