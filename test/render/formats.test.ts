import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { BROKEN, runCli, temporaryFolders } from '../helpers/run-cli.js';

// Each format of one recorded broken host (the lab's ip-forward-sysctl state), read back by a real consumer.

const folder = temporaryFolders();

async function brokenReport(): Promise<Report> {
  return JSON.parse((await runCli(['--replay', BROKEN, '--json'])).stdout) as Report;
}

interface JunitCase {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_message': string; '@_type': string; '#text': string }[];
  skipped?: { '@_message': string }[];
  error?: { '@_message': string }[];
  'system-out'?: string[];
}

interface Junit {
  testsuites: {
    '@_tests': string;
    '@_failures': string;
    '@_errors': string;
    '@_skipped': string;
    testsuite: { '@_tests': string; '@_failures': string; testcase: JunitCase[] }[];
  };
}

function parseJunit(xml: string): Junit {
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testsuite', 'testcase', 'failure', 'skipped', 'error', 'system-out'].includes(name),
  }).parse(xml) as Junit;
}

describe('--format markdown', () => {
  const markdown = new MarkdownIt({ html: true });

  it('renders: the verdict first, fix commands in fenced blocks, evidence folded, the host last', async () => {
    const report = await brokenReport();
    const { code, stdout } = await runCli(['--replay', BROKEN, '--format', 'markdown']);
    expect(code).toBe(1);
    const tokens = markdown.parse(stdout, {});
    // What a reader sees of a heading: its inline text with the escapes resolved.
    const headings = tokens
      .map((token, index) =>
        token.type === 'heading_open' ? tokens[index + 1]!.children!.map((child) => child.content).join('') : undefined,
      )
      .filter((text) => text !== undefined);
    expect(headings[0]).toMatch(/^netdoctor: Container networking is broken: /);
    expect(headings.slice(1, -2)).toEqual(
      report.findings.map((item, index) => `${index + 1}. ${item.severity.toUpperCase()}: ${item.title}`),
    );
    expect(headings.slice(-2)).toEqual(['Checks', 'Host and engines']);

    const fences = tokens.filter((token) => token.type === 'fence');
    const commands = fences.filter((token) => token.info === 'sh').map((token) => token.content.trimEnd());
    expect(commands).toEqual(report.findings.map((item) => item.fix.commands.join('\n')));
    const excerpts = fences.filter((token) => token.info === 'text').map((token) => token.content.replace(/\n$/, ''));
    expect(excerpts).toEqual(report.findings.flatMap((item) => item.evidence.map((evidence) => evidence.excerpt)));

    const html = markdown.render(stdout);
    expect(html.match(/<details>/g)?.length).toBe(report.findings.length + 1);
    expect(html).toContain('<summary>Evidence (1 source)</summary>');
    expect(html).toContain('<td>engines</td>');
  });

  it('keeps a hostile name as text: no tag, no link, no code block it could close', async () => {
    const report = await brokenReport();
    const hostile = '</details><script>alert(1)</script> [x](http://evil) ``` `x` | *y*';
    report.findings[0]!.title = hostile;
    report.findings[0]!.evidence[0]!.excerpt = '```\n</details>\n~~~';
    report.checks[0]!.title = hostile;
    const { renderMarkdown } = await import('../../src/render/markdown.js');
    const html = markdown.render(renderMarkdown(report));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('href="http://evil"');
    expect(html).toContain('&lt;/details&gt;&lt;script&gt;alert(1)&lt;/script&gt; [x](http://evil)');
    expect(html).toContain('<code class="language-text">```\n&lt;/details&gt;\n~~~\n</code>');
  });
});

describe('--format junit', () => {
  it('parses, with a test case per check and a failure per error finding', async () => {
    const report = await brokenReport();
    const { code, stdout } = await runCli(['--replay', BROKEN, '--format', 'junit']);
    expect(code).toBe(1);
    const junit = parseJunit(stdout);
    const suite = junit.testsuites.testsuite[0]!;
    expect(suite.testcase.map((testcase) => testcase['@_name'])).toEqual(report.checks.map((check) => check.id));
    expect(junit.testsuites['@_tests']).toBe(String(report.checks.length));
    expect(junit.testsuites['@_failures']).toBe('1');
    expect(junit.testsuites['@_skipped']).toBe(String(report.summary.checks.skip));

    const failures = suite.testcase.flatMap((testcase) => testcase.failure ?? []);
    expect(failures.map((failure) => failure['@_type']).sort()).toEqual(['host.ip_forward_disabled']);
    const forwarding = suite.testcase.find((testcase) => testcase['@_name'] === 'host.ip-forward')!;
    expect(forwarding['@_classname']).toBe('netdoctor.host');
    expect(forwarding.failure![0]!['@_message']).toBe('IPv4 forwarding is disabled (net.ipv4.ip_forward = 0)');
    expect(forwarding.failure![0]!['#text']).toContain('$ sysctl -w net.ipv4.ip_forward=1');

    const skipped = suite.testcase.flatMap((testcase) => testcase.skipped ?? []).map((each) => each['@_message']);
    expect(skipped).toContain('does not apply: podman uses the netavark backend');
    expect(skipped).toContain('could not decide: the file /etc/resolv.conf was not recorded in the snapshot');
    // The infos are below --fail-on: notes in the output of their passing test case.
    const defaultNetwork = suite.testcase.find((testcase) => testcase['@_name'] === 'dns.default-network')!;
    expect(defaultNetwork.failure).toBeUndefined();
    expect(defaultNetwork['system-out']![0]).toContain('INFO The default docker network "bridge" has no DNS');
  });

  it('follows --fail-on: warnings fail with warning, nothing fails with never', async () => {
    const infosOnly = parseJunit(
      (await runCli(['--replay', BROKEN, '--format', 'junit', '--fail-on', 'never'])).stdout,
    );
    expect(infosOnly.testsuites['@_failures']).toBe('0');
    const rootless = join(import.meta.dirname, '../fixtures/snapshots/healthy-rootless.json');
    const warning = parseJunit(
      (await runCli(['--replay', rootless, '--format', 'junit', '--fail-on', 'warning'])).stdout,
    );
    expect(warning.testsuites['@_failures']).toBe('1');
    const passing = parseJunit((await runCli(['--replay', rootless, '--format', 'junit'])).stdout);
    expect(passing.testsuites['@_failures']).toBe('0');
  });

  it('reports a check that crashed as an error', async () => {
    const plugins = folder();
    writeFileSync(
      join(plugins, 'throws.mjs'),
      "export default { id: 'site.throws', title: 'throws', findings: {}, docs: '', async run() { throw new Error('broke <here> & there'); } };\n",
    );
    const { stdout } = await runCli(['--replay', BROKEN, '--format', 'junit', '--checks-dir', plugins]);
    const junit = parseJunit(stdout);
    expect(junit.testsuites['@_errors']).toBe('1');
    const crashed = junit.testsuites.testsuite[0]!.testcase.find((testcase) => testcase['@_name'] === 'site.throws')!;
    expect(crashed.error![0]!['@_message']).toBe('the check crashed: broke <here> & there');
  });
});

describe('--format github', () => {
  it('prints an annotation per finding and appends the markdown report to $GITHUB_STEP_SUMMARY', async () => {
    const summary = join(folder(), 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const { code, stdout } = await runCli(['--replay', BROKEN, '--format', 'github'], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('::error ')).length).toBe(1);
    expect(lines.filter((line) => line.startsWith('::notice title=dns.default_network_no_dns')).length).toBe(2);
    expect(stdout).toContain(
      '::error title=host.ip_forward_disabled%3A IPv4 forwarding is disabled (net.ipv4.ip_forward = 0)::IPv4 forwarding is disabled (net.ipv4.ip_forward = 0) (on host)%0ARootful container networks',
    );
    expect(stdout).toContain('%0A  $ sysctl -w net.ipv4.ip_forward=1%0A');
    // Every line is one workflow command or the closing verdict: a message never spills onto a line of its own.
    expect(lines.every((line) => line.startsWith('::') || line.startsWith('netdoctor: '))).toBe(true);
    expect(lines.at(-1)).toMatch(/^netdoctor: Container networking is broken: /);
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n## netdoctor: Container networking is broken')).toBe(true);
    expect(written).toContain('```sh\nsysctl -w net.ipv4.ip_forward=1\n');
  });

  it('escapes what would end a command or start a new one', async () => {
    const report = await brokenReport();
    report.findings[0]!.title = 'a%0A::error::forged, with: colon\r\n::warning::x';
    const { renderGithub } = await import('../../src/render/github.js');
    const first = renderGithub(report).split('\n')[0]!;
    expect(first).toMatch(
      /^::error title=[^:]*%3A a%250A%3A%3Aerror%3A%3Aforged%2C with%3A colon\\x0d\\n%3A%3Awarning/,
    );
  });
});

describe('--output', () => {
  it('writes the chosen format to the file and the human view to the terminal', async () => {
    const file = join(folder(), 'report.xml');
    const { code, stdout } = await runCli(['--replay', BROKEN, '--format', 'junit', '--output', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Container networking is broken: /);
    expect(parseJunit(readFileSync(file, 'utf8')).testsuites['@_failures']).toBe('1');
  });

  it('is a usage error when the file cannot be written', async () => {
    const { code, stderr } = await runCli(['--replay', BROKEN, '--output', join(folder(), 'no/such/dir/r.md')]);
    expect(code).toBe(64);
    expect(stderr).toMatch(/^netdoctor: cannot write the report to .*r\.md: ENOENT/);
  });
});
