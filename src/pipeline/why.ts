import type { Check, CheckContext } from '../core/check.js';
import { UsageError } from '../core/errors.js';
import { NotRecordedError } from '../core/host.js';
import type { PairCheck } from '../pair/check.js';
import {
  hostFindingsOnPath,
  isRouteRequest,
  pairSection,
  pathChecks,
  probePair,
  type WhyRequest,
} from '../pair/diagnose.js';
import { pairVerdict } from '../pair/verdict.js';
import type { Diagnosis } from './pipeline.js';
import { runChecks } from './runner.js';

/** The checks `why` runs: the pair checks of every link from A to B, and the host checks that can break that way. */
export interface WhyChecks {
  pair: readonly PairCheck[];
  host: readonly Check[];
}

/**
 * `netdoctor why A B`: the host checks that can break a path start at once; meanwhile A and B are located and
 * the path probed; then every link's pair check runs on what was learned, and the verdict names the first break.
 */
export async function diagnosePair(
  context: CheckContext,
  request: WhyRequest,
  checks: WhyChecks,
  checkTimeoutMs: number,
): Promise<Required<Diagnosis>> {
  const hostResults = runChecks(pathChecks(checks.host, isRouteRequest(request)), context, {
    timeoutMs: checkTimeoutMs,
  });
  const probing = await probePair(context.facts, request).catch((error: unknown) => {
    // Locating and probing the pair is no check that could say it cannot decide: the whole answer rests on it.
    if (error instanceof NotRecordedError)
      throw new UsageError(
        `the snapshot does not hold what \`why\` needs for these two ends (${error.message}): record it with netdoctor why A B --record FILE`,
      );
    throw error;
  });
  const alongThePath = [...checks.pair].sort((left, right) => left.pathOrder - right.pathOrder);
  const [results, pairResults] = await Promise.all([
    hostResults,
    runChecks(alongThePath, { ...context, analysis: probing.analysis }, { timeoutMs: checkTimeoutMs }),
  ]);
  const onPath = hostFindingsOnPath(probing, results);
  const verdict = pairVerdict(
    probing.analysis,
    pairResults,
    onPath.flatMap((result) => result.findings),
  );
  return {
    pair: pairSection(probing, request, verdict, pairResults),
    checks: [...pairResults, ...onPath],
  };
}
