import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/report.js';
import { BROKEN, Capture, temporaryFolders } from '../helpers/run-cli.js';

const folder = temporaryFolders();

/** A system config and a user config (under XDG_CONFIG_HOME) with these texts; undefined leaves one out. */
function configs(system: string | undefined, user: string | undefined) {
  const root = folder();
  const systemConfig = join(root, 'etc-netdoctor.toml');
  if (system !== undefined) writeFileSync(systemConfig, system);
  const xdg = join(root, 'xdg');
  if (user !== undefined) {
    mkdirSync(join(xdg, 'netdoctor'), { recursive: true });
    writeFileSync(join(xdg, 'netdoctor', 'config.toml'), user);
  }
  return { systemConfig, env: { XDG_CONFIG_HOME: xdg } };
}

async function run(args: string[], config: ReturnType<typeof configs>) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env: config.env, systemConfig: config.systemConfig });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('config files', () => {
  it('set fail-on, format, skip and redact; the user file over the system file', async () => {
    const config = configs(
      'fail-on = "never"\nformat = "markdown"\nskip = ["dns.default-network"]\n',
      'format = "json"\nredact = true\n',
    );
    const { code, stdout } = await run(['--replay', BROKEN], config);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.checks.map((check) => check.id)).not.toContain('dns.default-network');
    expect(report.host.hostname).toBe('redacted-host');
  });

  it('give way to the command line', async () => {
    const config = configs('fail-on = "never"\nformat = "markdown"\nonly = "dns.default-network"\n', undefined);
    const { code, stdout } = await run(
      ['--replay', BROKEN, '--json', '--fail-on', 'error', '--only', 'host.ip-forward'],
      config,
    );
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Report).checks.map((check) => check.id)).toEqual(['host.ip-forward']);
  });

  it('name their checks-dir for list too', async () => {
    const plugins = folder();
    writeFileSync(
      join(plugins, 'site.mjs'),
      "export default { id: 'site.local', title: 'a site check', findings: {}, docs: '', async run() { return { findings: [] }; } };\n",
    );
    const { stdout } = await run(['list'], configs(`checks-dir = "${plugins}"\n`, undefined));
    expect(stdout).toContain(`site.local  a site check  (plug-in ${join(plugins, 'site.mjs')})`);
  });

  it.each([
    [
      'an unknown setting',
      'colour = "never"\n',
      'unknown setting "colour" (known: fail-on, skip, only, checks-dir, format, redact)',
    ],
    ['a wrong value', 'fail-on = "info"\n', 'fail-on must be one of error, warning, never, not "info"'],
    ['a wrong type', 'redact = "yes"\n', 'redact takes true or false'],
    ['a file that is not TOML', 'format = \n', 'is not valid TOML'],
  ])('are a usage error with %s, naming the file', async (_what, text, message) => {
    const config = configs(text, undefined);
    const { code, stdout, stderr } = await run(['--replay', BROKEN], config);
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toContain(`netdoctor: ${config.systemConfig}`);
    expect(stderr).toContain(message);
  });
});
