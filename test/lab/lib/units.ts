import type { Scenario } from '../scenario.js';
import type { Generation } from './gen2.js';
import type { ScenarioResult } from './harness.js';

/** One scenario on one lab generation: what the lab runs, one after the other. */
export interface LabUnit {
  scenario: Scenario;
  generation: Generation;
}

export function generationsOf(scenario: Scenario): readonly Generation[] {
  return scenario.generations ?? [1];
}

/** `NAME` selects the scenario on every generation it has, `NAME@gen1` or `NAME@gen2` one of them. */
export function selectUnits(scenarios: readonly Scenario[], names: string[]): { units: LabUnit[]; unknown: string[] } {
  const all = scenarios.flatMap((scenario) => generationsOf(scenario).map((generation) => ({ scenario, generation })));
  if (names.length === 0) return { units: all, unknown: [] };
  const unknown: string[] = [];
  const wanted = names.map((name) => {
    const match = /^(.*)@gen([12])$/.exec(name);
    const selector = { name: match?.[1] ?? name, generation: match ? (Number(match[2]) as Generation) : undefined };
    if (
      !all.some(
        (unit) =>
          unit.scenario.name === selector.name &&
          (selector.generation === undefined || unit.generation === selector.generation),
      )
    )
      unknown.push(name);
    return selector;
  });
  const units = all.filter((unit) =>
    wanted.some(
      (selector) =>
        selector.name === unit.scenario.name &&
        (selector.generation === undefined || selector.generation === unit.generation),
    ),
  );
  return { units, unknown };
}

/** `N/M scenarios diagnosed, K false errors on healthy baselines, F fixes verified` over these results. */
export function tally(results: readonly ScenarioResult[]): string {
  const diagnosed = results.filter((result) => result.diagnosed).length;
  const falseErrors = results
    .filter((result) => result.kind === 'baseline')
    .reduce((sum, result) => sum + result.falseErrors, 0);
  const fixes = results.filter((result) => result.printedFixVerified).length;
  return `${diagnosed}/${results.length} scenarios diagnosed, ${falseErrors} false errors on healthy baselines, ${fixes} fixes verified`;
}
