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

describe('examples/checks/reserved-ports.mjs', () => {
  const RANGE = '/proc/sys/net/ipv4/ip_local_port_range';
  const RESERVED = '/proc/sys/net/ipv4/ip_local_reserved_ports';
  const examples = fileURLToPath(new URL('../../examples/checks', import.meta.url));

  async function reservedPorts(
    files: Record<string, string | typeof ENOENT>,
  ): Promise<{ result: CheckResult; host: FakeHost }> {
    const loaded = await loadPlugins([examples]);
    expect(loaded.broken).toEqual([]);
    const host = new FakeHost({ files });
    const [result] = await run(loaded.checks, host);
    if (result === undefined) throw new Error('the example did not load');
    return { result, host };
  }

  it('passes when every site port is outside the range or reserved, and reads nothing but the two files', async () => {
    const { result, host } = await reservedPorts({ [RANGE]: '32768\t60999\n', [RESERVED]: '8443,49000-50000\n' });
    expect(result).toMatchObject({
      id: 'site.reserved-ports',
      status: 'pass',
      summary: 'ephemeral ports 32768-60999; site ports 8080, 8443, 50000: 0 in that range and not reserved',
      findings: [],
    });
    expect([...host.requests].sort()).toEqual([`readFile ${RANGE}`, `readFile ${RESERVED}`]);
  });

  it('warns about a site port in the range, keeping what is reserved in the fix', async () => {
    const { result } = await reservedPorts({ [RANGE]: '32768\t60999\n', [RESERVED]: '8080\n' });
    expect(result.status).toBe('warn');
    const [item] = result.findings;
    expect(item).toMatchObject({
      id: 'site.published_port_in_ephemeral_range',
      severity: 'warning',
      title: 'Published port 50000 can be taken by outgoing connections (ephemeral range 32768-60999)',
      evidence: [
        { source: 'file', what: RANGE, excerpt: '32768 60999' },
        { source: 'file', what: RESERVED, excerpt: '8080' },
      ],
      fix: {
        commands: [
          'sysctl -w net.ipv4.ip_local_reserved_ports=8080,50000',
          "printf 'net.ipv4.ip_local_reserved_ports = 8080,50000\\n' > /etc/sysctl.d/99-site-reserved-ports.conf",
        ],
      },
    });
    expect(findingSchemaProblems(item)).toBe('');
  });

  it('names every site port a widened range takes in', async () => {
    const { result } = await reservedPorts({ [RANGE]: '1024\t65535\n', [RESERVED]: '\n' });
    expect(result.findings[0]?.title).toBe(
      'Published ports 8080, 8443, 50000 can be taken by outgoing connections (ephemeral range 1024-65535)',
    );
  });

  it.each([
    [
      'the range cannot be read',
      { [RANGE]: ENOENT, [RESERVED]: '\n' },
      `cannot read ${RANGE}: No such file or directory`,
    ],
    [
      'the reserved ports are not readable',
      { [RANGE]: '32768\t60999\n', [RESERVED]: EACCES },
      `cannot read ${RESERVED}: Permission denied`,
    ],
    [
      'the files hold no ports',
      { [RANGE]: 'wide\n', [RESERVED]: '80-\n' },
      `unexpected contents: ${RANGE} holds "wide", ${RESERVED} holds "80-"`,
    ],
  ])('cannot decide when %s', async (_what, files, reason) => {
    const { result } = await reservedPorts(files);
    expect(result).toMatchObject({ status: 'skip', skip: 'cannot_decide', reason, findings: [] });
  });
});
