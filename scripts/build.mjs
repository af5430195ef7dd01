/**
 * Builds netdoctor with esbuild.
 *
 *   node scripts/build.mjs            dist/bundle/: the CLI as ES modules, split where the CLI imports lazily, so
 *                                     that --version, --help, list and explain load neither the checks nor the
 *                                     firewall model (bin/netdoctor runs it)
 *   node scripts/build.mjs binary     dist/netdoctor-<platform>-<arch>: one executable with Node inside (Node's
 *                                     single executable applications), for hosts without Node or with an old one
 *   node scripts/build.mjs catalog    src/cli/check-catalog.ts: the built-in checks' metadata, which list and
 *                                     explain print without loading any check
 *   node scripts/build.mjs bench      dist/bench/run.mjs: the benchmarks of `npm run bench`
 */
import { copyFile, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(ROOT, 'src/cli/entry.ts');
const CATALOG = join(ROOT, 'src/cli/check-catalog.ts');
/** Node's sentinel for the single executable's blob (see Node's documentation of single executable applications). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // Short names would make a crash's stack trace unreadable; whitespace and syntax are what cost parse time.
  minifyWhitespace: true,
  minifySyntax: true,
};

/** The npm package's CLI: one small entry chunk, the rest in chunks loaded by the dynamic imports. */
async function bundle() {
  const outdir = join(ROOT, 'dist/bundle');
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...COMMON,
    entryPoints: { netdoctor: ENTRY },
    format: 'esm',
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    // commander, cli-table3 and ora's dependencies are CommonJS and require Node's built-in modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';const require=__createRequire(import.meta.url);",
    },
  });
  // Kept for the test that holds the lazy boundaries: which sources ended up in which output file.
  await writeFile(join(ROOT, 'dist/bundle.meta.json'), JSON.stringify(result.metafile));
}

/**
 * One CommonJS script (a single executable runs no ES module graph), its blob, injected into a copy of this node.
 * Skipped when the script and the node are those of the last build: injecting takes tens of seconds.
 */
async function binary() {
  const work = join(ROOT, 'dist/sea');
  await mkdir(work, { recursive: true });
  const target = join(ROOT, `dist/netdoctor-${process.platform}-${process.arch}`);
  const script = join(work, 'netdoctor.cjs');
  await build({ ...COMMON, entryPoints: [ENTRY], format: 'cjs', outfile: script });
  const stampFile = join(work, 'stamp.json');
  const stamp = JSON.stringify({
    script: createHash('sha256')
      .update(await readFile(script))
      .digest('hex'),
    node: process.execPath,
    version: process.version,
  });
  const previous = await readFile(stampFile, 'utf8').catch(() => undefined);
  if (previous === stamp && existsSync(target)) {
    process.stdout.write(`${target} (up to date)\n`);
    return;
  }
  const blob = join(work, 'netdoctor.blob');
  const config = join(work, 'sea-config.json');
  await writeFile(
    config,
    JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit', timeout: 120_000 });
  await rm(target, { force: true });
  await copyFile(process.execPath, target);
  await chmod(target, 0o755);
  const { inject } = await import('postject');
  await inject(target, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: SEA_FUSE });
  await writeFile(stampFile, stamp);
  process.stdout.write(`${target}\n`);
}

/** The metadata of every built-in check, read from the checks themselves, as a TypeScript module. */
async function catalog() {
  const compiled = join(ROOT, 'dist/check-catalog-source.mjs');
  await mkdir(dirname(compiled), { recursive: true });
  await build({
    ...COMMON,
    entryPoints: [join(ROOT, 'checks/index.ts')],
    format: 'esm',
    packages: 'external',
    outfile: compiled,
  });
  const { HOST_CHECKS, PAIR_CHECKS } = await import(pathToFileURL(compiled).href);
  await rm(compiled);
  const metadata = (checks) => checks.map(({ id, title, docs, findings }) => ({ id, title, docs, findings }));
  const source = [
    '// Generated by `npm run docs` from the metadata of the checks in checks/index.ts; a test keeps it current.',
    "import type { CheckMetadata } from '../core/check.js';",
    '',
    "/** The host diagnosis' checks, as HOST_CHECKS lists them. */",
    `export const HOST_CHECK_METADATA: readonly CheckMetadata[] = ${JSON.stringify(metadata(HOST_CHECKS))};`,
    '',
    '/** The checks of `netdoctor why`, as PAIR_CHECKS lists them. */',
    `export const PAIR_CHECK_METADATA: readonly CheckMetadata[] = ${JSON.stringify(metadata(PAIR_CHECKS))};`,
    '',
  ].join('\n');
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(CATALOG)) ?? {};
  await writeFile(CATALOG, await prettier.format(source, { ...options, filepath: CATALOG }));
  process.stdout.write(`${CATALOG}\n`);
}

/** The benchmark runner: one ES module, so that it needs no compile step of its own. */
async function benchmarks() {
  await build({
    ...COMMON,
    entryPoints: [join(ROOT, 'bench/run.ts')],
    format: 'esm',
    outfile: join(ROOT, 'dist/bench/run.mjs'),
  });
}

const MODES = { bundle, binary, catalog, bench: benchmarks };
const mode = process.argv[2] ?? 'bundle';
if (!Object.hasOwn(MODES, mode)) {
  process.stderr.write(`usage: node scripts/build.mjs [${Object.keys(MODES).join('|')}]\n`);
  process.exit(64);
}
await MODES[mode]();
