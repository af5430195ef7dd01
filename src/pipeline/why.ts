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
import { PATH_CHECK_FOUNDATION, startFacts } from './foundation.js';
import { engineSummaries, engineVersionSummaries } from '../facts/engines.js';
import type { CheckResult } from '../core/types.js';

/** The checks `why` runs: the pair checks of every link from A to B, and the host checks that can break that way. */
export interface WhyChecks {
  pair: readonly PairCheck[];
  host: readonly Check[];
}

export interface WhyLimits {
  checkTimeoutMs: number;
  /**
   * Between two containers, how long the probes may take before the host checks start beside them (on a live
   * host): a pair that answers within it needs none. Undefined: only once the verdict is not "reachable".
   */
  hostChecksAfterMs?: number;
}

/**
 * `netdoctor why A B`: A and B are located and the path probed; every link's pair check runs on what was learned,
 * and the verdict names the first break. The host checks that can break the path explain a break: on a way to a
 * namespace, the host or an address they name its broken links, so they start at once; between two containers
 * they matter only when A does not reach B, and a pair that answers skips them and `podman info` (0.7 s of CPU).
 * What the report says depends on the verdict alone, never on how fast the probes were.
 */
export async function diagnosePair(
  context: CheckContext,
  request: WhyRequest,
  checks: WhyChecks,
  limits: WhyLimits,
): Promise<Required<Diagnosis>> {
  const route = isRouteRequest(request);
  let hostResults: Promise<CheckResult[]> | undefined;
  const startHostChecks = () => {
    if (hostResults === undefined) {
      startFacts(context.facts, PATH_CHECK_FOUNDATION);
      hostResults = runChecks(pathChecks(checks.host, route), context, { timeoutMs: limits.checkTimeoutMs });
    }
    return hostResults;
  };
  if (route) void startHostChecks();
  const early =
    !route && limits.hostChecksAfterMs !== undefined
      ? setTimeout(startHostChecks, limits.hostChecksAfterMs)
      : undefined;
  try {
    const probing = await probePair(context.facts, request).catch((error: unknown) => {
      // Locating and probing the pair is no check that could say it cannot decide: the whole answer rests on it.
      if (error instanceof NotRecordedError)
        throw new UsageError(
          `the snapshot does not hold what \`why\` needs for these two ends (${error.message}): record it with netdoctor why A B --record FILE`,
        );
      throw error;
    });
    const alongThePath = [...checks.pair].sort((left, right) => left.pathOrder - right.pathOrder);
    const pairResults = await runChecks(
      alongThePath,
      { ...context, analysis: probing.analysis },
      { timeoutMs: limits.checkTimeoutMs },
    );
    const answered = !route && pairVerdict(probing.analysis, pairResults).outcome === 'reachable';
    // Started early by a slow probe, host checks a reachable pair does not need still end before the run does.
    if (answered) await hostResults;
    const results = answered ? [] : await startHostChecks();
    const onPath = hostFindingsOnPath(probing, results);
    const verdict = pairVerdict(
      probing.analysis,
      pairResults,
      onPath.flatMap((result) => result.findings),
    );
    return {
      pair: pairSection(probing, request, verdict, pairResults),
      checks: [...pairResults, ...onPath],
      engines: answered ? engineVersionSummaries : engineSummaries,
    };
  } finally {
    clearTimeout(early);
  }
}
