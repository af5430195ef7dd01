import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Facts } from '../../src/core/facts.js';
import { loadPlugins } from '../../src/pipeline/plugins.js';
import { runChecks } from '../../src/pipeline/runner.js';
import type { CheckResult } from '../../src/core/types.js';
import type { Check } from '../../src/core/check.js';
import { EACCES, ENOENT, FakeHost } from '../helpers/fake-host.js';
import { findingSchemaProblems } from '../helpers/schema.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A fresh folder per test: node caches imported modules by path, so no two tests may share a file. */
function pluginFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'netdoctor-plugins-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

const VALID = `
export default {
  id: 'site.hostname',
  title: 'The host has a name',
  findings: {},
  docs: 'https://example.invalid/site',
  async run({ host }) {
    const file = await host.readFile('/etc/hostname');
    return { findings: [], summary: 'hostname ' + file.content.trim() };
  },
};
`;

async function run(checks: readonly Check[], host: FakeHost): Promise<CheckResult[]> {
  return runChecks(checks, { host, facts: new Facts(host) }, { timeoutMs: 1000 });
}

describe('loadPlugins', () => {
  it('loads a valid .mjs check, which then runs against the host it is given', async () => {
    const folder = pluginFolder({
      'hostname.mjs': VALID,
      'README.md': '# not a check',
      'draft.ts': 'export default 1;',
    });
    const loaded = await loadPlugins([folder]);
    expect(loaded.broken).toEqual([]);
    expect(loaded.checks.map((check) => [check.id, check.source])).toEqual([
      ['site.hostname', join(folder, 'hostname.mjs')],
    ]);

    const host = new FakeHost({ files: { '/etc/hostname': 'vm\n' } });
    const [result] = await run(loaded.checks, host);
    expect(result).toMatchObject({
      id: 'site.hostname',
      status: 'pass',
      summary: 'hostname vm',
      source: join(folder, 'hostname.mjs'),
    });
    expect(host.requests).toEqual(['readFile /etc/hostname']);
  });

  it('loads .js files too, in name order, from every folder given', async () => {
    const first = pluginFolder({
      'b.js': VALID.replace('site.hostname', 'site.b'),
      'a.mjs': VALID.replace('site.hostname', 'site.a'),
    });
    const second = pluginFolder({ 'c.mjs': VALID.replace('site.hostname', 'site.c') });
    const loaded = await loadPlugins([first, second]);
    expect(loaded.checks.map((check) => check.id)).toEqual(['site.a', 'site.b', 'site.c']);
  });

  it.each([
    ['a syntax error', 'export default {', /^failed to load: /],
    ['an error thrown while loading', "throw new Error('no config');\nexport default {};", 'failed to load: no config'],
    [
      'no default export',
      `export const check = ${VALID.slice(VALID.indexOf('{'))}`,
      'not a valid check: the default export is not an object',
    ],
    [
      'a default export without run',
      "export default { id: 'site.x', title: 'x', findings: {}, docs: '' };",
      'not a valid check: "run" must be a function',
    ],
    [
      'an id in capitals',
      VALID.replace('site.hostname', 'Site.Hostname'),
      /^not a valid check: "id" must be a lower-case string/,
    ],
  ])('reports a file with %s as an errored result, and still loads the others', async (_what, text, reason) => {
    const folder = pluginFolder({ 'broken.mjs': text, 'valid.mjs': VALID });
    const loaded = await loadPlugins([folder]);
    expect(loaded.checks.map((check) => check.id)).toEqual(['site.hostname']);
    const source = join(folder, 'broken.mjs');
    expect(loaded.broken).toEqual([
      {
        id: `plugin:${source}`,
        title: `plug-in ${source}`,
        status: 'error',
        reason: expect.stringMatching(reason),
        durationMs: 0,
        findings: [],
        source,
      },
    ]);
  });

  it('reports a folder that does not exist as an errored result', async () => {
    const folder = join(tmpdir(), 'netdoctor-no-such-folder-for-plugins');
    const loaded = await loadPlugins([folder]);
    expect(loaded.checks).toEqual([]);
    expect(loaded.broken).toMatchObject([
      {
        id: `plugin:${folder}`,
        status: 'error',
        reason: expect.stringMatching(/^cannot read the checks folder: ENOENT/),
      },
    ]);
  });
});

describe('examples/checks/conntrack-usage.mjs', () => {
  const COUNT = '/proc/sys/net/netfilter/nf_conntrack_count';
  const MAX = '/proc/sys/net/netfilter/nf_conntrack_max';
  const examples = fileURLToPath(new URL('../../examples/checks', import.meta.url));

  async function conntrack(
    files: Record<string, string | typeof ENOENT>,
  ): Promise<{ result: CheckResult; host: FakeHost }> {
    const loaded = await loadPlugins([examples]);
    expect(loaded.broken).toEqual([]);
    const host = new FakeHost({ files });
    const [result] = await run(loaded.checks, host);
    if (result === undefined) throw new Error('the example did not load');
    return { result, host };
  }

  it('passes below 90 % and reads nothing but the two files', async () => {
    const { result, host } = await conntrack({ [COUNT]: '235929\n', [MAX]: '262144\n' });
    expect(result).toMatchObject({
      id: 'host.conntrack-usage',
      status: 'pass',
      summary: '235929 of 262144 tracked connections (89 %)',
      findings: [],
    });
    expect([...host.requests].sort()).toEqual([`readFile ${COUNT}`, `readFile ${MAX}`]);
  });

  it('warns from 90 % on, with the numbers as evidence and a fix for this host', async () => {
    const { result } = await conntrack({ [COUNT]: '235930\n', [MAX]: '262144\n' });
    expect(result.status).toBe('warn');
    const [item] = result.findings;
    expect(item).toMatchObject({
      id: 'host.conntrack_table_nearly_full',
      severity: 'warning',
      title: 'The connection tracking table is 90 % full (235930 of 262144)',
      evidence: [
        { source: 'file', what: COUNT, excerpt: '235930' },
        { source: 'file', what: MAX, excerpt: '262144' },
      ],
      fix: {
        commands: [
          'sysctl -w net.netfilter.nf_conntrack_max=524288',
          "printf 'net.netfilter.nf_conntrack_max = 524288\\n' > /etc/sysctl.d/99-conntrack.conf",
        ],
      },
    });
    expect(findingSchemaProblems(item)).toBe('');
  });

  it.each([
    [
      'the count does not exist (no conntrack module)',
      { [COUNT]: ENOENT, [MAX]: '262144\n' },
      `cannot read ${COUNT}: No such file or directory`,
    ],
    ['the maximum is not readable', { [COUNT]: '12\n', [MAX]: EACCES }, `cannot read ${MAX}: Permission denied`],
    [
      'the files hold no numbers',
      { [COUNT]: 'twelve\n', [MAX]: '0\n' },
      `unexpected contents: ${COUNT} holds "twelve", ${MAX} holds "0"`,
    ],
  ])('cannot decide when %s', async (_what, files, reason) => {
    const { result } = await conntrack(files);
    expect(result).toMatchObject({ status: 'skip', skip: 'cannot_decide', reason, findings: [] });
  });
});
