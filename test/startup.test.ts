import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_CHECKS, PAIR_CHECKS } from '../checks/index.js';
import { HOST_CHECK_METADATA, PAIR_CHECK_METADATA } from '../src/cli/check-catalog.js';
import type { Check } from '../src/core/check.js';
import { snapshotPath } from './helpers/recorded.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(REPO, 'dist/bundle');
const META = join(REPO, 'dist/bundle.meta.json');

/**
 * Sources that only a diagnosis needs: the checks, the facts, the firewall model, the host door and its execa, the
 * report's renderers and the spinner, the snapshot validator, and the TOML parser (these runs read no config file).
 */
const DIAGNOSIS_ONLY = [
  /^checks\//,
  /^src\/(facts|netfilter|host|pair|check-support)\//,
  /^src\/render\/(human|json|markdown|junit|github|summary|pair|paint)\.ts$/,
  /^src\/cli\/output\.ts$/,
  /node_modules\/(execa|ora|wrap-ansi|ajv|smol-toml)\//,
];

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

function metadata(check: Pick<Check, 'id' | 'title' | 'docs' | 'findings'>) {
  return { id: check.id, title: check.title, docs: check.docs, findings: check.findings };
}

describe('the catalog that list and explain print (src/cli/check-catalog.ts)', () => {
  it('is the metadata the checks declare today (npm run docs writes it)', () => {
    expect(HOST_CHECK_METADATA).toEqual(HOST_CHECKS.map(metadata));
    expect(PAIR_CHECK_METADATA).toEqual(PAIR_CHECKS.map(metadata));
  });
});

describe('the bundled CLI loads what a command needs', () => {
  let pruned: string;
  let removed: string[];

  beforeAll(async () => {
    // A copy without the files that hold any diagnosis-only source: what runs without them never loaded them.
    pruned = mkdtempSync(join(tmpdir(), 'netdoctor-pruned-'));
    cpSync(BUNDLE, pruned, { recursive: true });
    const meta = JSON.parse(readFileSync(META, 'utf8')) as Metafile;
    removed = Object.entries(meta.outputs)
      .filter(([, output]) => Object.keys(output.inputs).some((input) => DIAGNOSIS_ONLY.some((re) => re.test(input))))
      .map(([file]) => file.replace(/^dist\/bundle\//, ''));
    for (const file of removed) rmSync(join(pruned, file));
  }, 120_000);

  afterAll(() => rmSync(pruned, { recursive: true, force: true }));

  const run = (dir: string, args: string[]) =>
    execa(process.execPath, [join(dir, 'netdoctor.mjs'), ...args], {
      reject: false,
      env: { NO_COLOR: '1' },
      extendEnv: false,
    });

  it('keeps the checks, the facts, the firewall model and execa out of the entry file', () => {
    expect(removed.length).toBeGreaterThan(0);
    expect(removed).not.toContain('netdoctor.mjs');
  });

  it.each([
    '--version',
    '--help',
    'list',
    'list --json',
    'list --markdown',
    'explain host.ip_forward_disabled',
    'why --help',
    'completion bash',
    'man',
  ])('runs `netdoctor %s` without them, with the same output', async (line) => {
    const args = line.split(' ');
    const [whole, without] = await Promise.all([run(BUNDLE, args), run(pruned, args)]);
    expect(without.stderr).toBe('');
    expect(without.exitCode).toBe(0);
    expect(without.stdout).toBe(whole.stdout);
  });

  it('needs them for a diagnosis (the pruning removed what a diagnosis loads)', async () => {
    const replay = ['--replay', snapshotPath('healthy-rootful-netavark-docker'), '--json'];
    expect((await run(BUNDLE, replay)).exitCode).toBe(0);
    const without = await run(pruned, replay);
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toMatch(/Cannot find module/);
  });
});
