import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { SEVERITIES, type CheckResult, type Severity } from '../core/types.js';
import type { Check } from '../core/check.js';

export interface LoadedPlugins {
  checks: (Check & { source: string })[];
  /** Plug-ins that could not be loaded, as results so that the report shows them. */
  broken: CheckResult[];
}

const WORDING_TEXTS = ['title', 'explanation', 'cause', 'fix', 'docs'];

function wordingProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'is not an object';
  const wording = value as Record<string, unknown>;
  if (!SEVERITIES.includes(wording.severity as Severity)) return `needs "severity": ${SEVERITIES.join(', ')}`;
  const missing = WORDING_TEXTS.filter((key) => typeof wording[key] !== 'string');
  return missing.length > 0 ? `needs text in ${missing.map((key) => `"${key}"`).join(', ')}` : undefined;
}

/** What is wrong with a plug-in's default export, or undefined when it honours the Check contract. */
export function validateCheck(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the default export is not an object';
  const check = value as Record<string, unknown>;
  if (typeof check.id !== 'string' || !/^[a-z0-9][a-z0-9_.-]*$/.test(check.id))
    return '"id" must be a lower-case string such as "site.my-check"';
  if (typeof check.title !== 'string' || check.title === '') return '"title" must be a non-empty string';
  const findings = check.findings;
  if (typeof findings !== 'object' || findings === null || Array.isArray(findings))
    return '"findings" must be an object: each finding id with its wording';
  for (const [id, wording] of Object.entries(findings)) {
    const problem = wordingProblem(wording);
    if (problem !== undefined) return `the wording of finding ${id} ${problem}`;
  }
  if (typeof check.docs !== 'string') return '"docs" must be a string';
  if (typeof check.run !== 'function') return '"run" must be a function';
  return undefined;
}

function brokenResult(source: string, reason: string): CheckResult {
  return {
    id: `plugin:${source}`,
    title: `plug-in ${source}`,
    status: 'error',
    reason,
    durationMs: 0,
    findings: [],
    source,
  };
}

/**
 * A plug-in's module. The single executable has no import() (Node 20 gives its main script no module loader), but
 * its require() loads ES modules since Node 20.19.
 */
async function importPlugin(source: string): Promise<{ default?: unknown }> {
  if (isSea()) return createRequire(source)(source) as { default?: unknown };
  return (await import(pathToFileURL(source).href)) as { default?: unknown };
}

/** Loads every .js and .mjs file of the folders; a broken plug-in becomes an errored result, never a crash. */
export async function loadPlugins(dirs: readonly string[]): Promise<LoadedPlugins> {
  const loaded: LoadedPlugins = { checks: [], broken: [] };
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((name) => name.endsWith('.js') || name.endsWith('.mjs')).sort();
    } catch (error) {
      loaded.broken.push(brokenResult(dir, `cannot read the checks folder: ${(error as Error).message}`));
      continue;
    }
    for (const name of entries) {
      const source = resolve(join(dir, name));
      try {
        const module = await importPlugin(source);
        const problem = validateCheck(module.default);
        if (problem !== undefined) loaded.broken.push(brokenResult(source, `not a valid check: ${problem}`));
        else loaded.checks.push({ ...(module.default as Check), source });
      } catch (error) {
        loaded.broken.push(brokenResult(source, `failed to load: ${(error as Error).message.split('\n')[0]}`));
      }
    }
  }
  return loaded;
}
