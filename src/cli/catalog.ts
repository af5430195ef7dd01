import type { CheckMetadata } from '../core/check.js';
import { UsageError } from '../core/errors.js';
import { findingCatalog } from '../pipeline/catalog.js';
import { loadPlugins, type LoadedPlugins } from '../pipeline/plugins.js';
import { EXIT } from '../pipeline/exit.js';
import { renderFindingsDoc } from '../render/findings.js';
import type { Io } from './io.js';

/**
 * The built-in checks' metadata, from the catalog generated out of the checks (check-catalog.ts): list and explain
 * load no check's code. Imported when they run, so that --version and --help do not parse it.
 */
async function builtInChecks(): Promise<CheckMetadata[]> {
  const { HOST_CHECK_METADATA, PAIR_CHECK_METADATA } = await import('./check-catalog.js');
  return [...HOST_CHECK_METADATA, ...PAIR_CHECK_METADATA];
}

/** The plug-in folders: --checks-dir (repeatable), then NETDOCTOR_CHECKS_DIR (colon-separated). */
export function pluginDirs(checksDir: readonly string[], io: Io): string[] {
  return [...checksDir, ...(io.env.NETDOCTOR_CHECKS_DIR ?? '').split(':').filter((dir) => dir !== '')];
}

/** Plug-ins that did not load, on stderr; list and explain go on without them and exit 2. */
function reportBroken(plugins: LoadedPlugins, io: Io): number {
  for (const broken of plugins.broken) io.stderr.write(`netdoctor: ${broken.id}: ${broken.reason ?? 'not loaded'}\n`);
  return plugins.broken.length > 0 ? EXIT.incomplete : EXIT.ok;
}

export async function listChecks(
  options: { json?: boolean; markdown?: boolean; checksDir: string[] },
  io: Io,
): Promise<number> {
  const plugins = await loadPlugins(pluginDirs(options.checksDir, io));
  if (options.markdown === true) {
    io.stdout.write(renderFindingsDoc(findingCatalog([...(await builtInChecks()), ...plugins.checks])));
    return reportBroken(plugins, io);
  }
  const rows = [...(await builtInChecks()), ...plugins.checks].map((check) => ({
    id: check.id,
    title: check.title,
    findings: Object.entries(check.findings).map(([id, wording]) => ({ id, severity: wording.severity })),
    docs: check.docs,
    ...('source' in check ? { source: check.source } : {}),
  }));
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const row of rows) {
      io.stdout.write(`${row.id}  ${row.title}${row.source === undefined ? '' : `  (plug-in ${row.source})`}\n`);
      for (const item of row.findings) io.stdout.write(`    ${item.id}  (${item.severity})\n`);
    }
  }
  return reportBroken(plugins, io);
}

export async function explainFinding(id: string, options: { checksDir: string[] }, io: Io): Promise<number> {
  const plugins = await loadPlugins(pluginDirs(options.checksDir, io));
  const catalog = findingCatalog([...(await builtInChecks()), ...plugins.checks]);
  const entry = catalog.find((candidate) => candidate.id === id);
  if (entry === undefined) {
    reportBroken(plugins, io);
    const near = catalog
      .filter((candidate) => candidate.id.includes(id) || id.includes(candidate.id.split('.')[1] ?? ''))
      .map((candidate) => candidate.id);
    throw new UsageError(
      `unknown finding id: ${id}${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}; netdoctor list shows every id`,
    );
  }
  const pluginSources = plugins.checks
    .filter((check) => entry.reporters.includes(check.id))
    .map((check) => `${check.id} (plug-in ${check.source})`);
  const reporters = entry.reporters.map(
    (reporter) => pluginSources.find((text) => text.startsWith(`${reporter} `)) ?? reporter,
  );
  io.stdout.write(
    [
      `${entry.id} (${entry.severity})`,
      entry.title,
      '',
      `What it means: ${entry.explanation}`,
      '',
      `Usual cause: ${entry.cause}`,
      '',
      `Fix: ${entry.fix}`,
      '',
      `Reported by: ${reporters.join(', ')}`,
      `Docs: ${entry.docs}`,
      '',
    ].join('\n'),
  );
  return reportBroken(plugins, io);
}
