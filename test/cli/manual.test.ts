import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { renderManPage } from '../../src/cli/manpage.js';
import { Capture, runCli } from '../helpers/run-cli.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function installed(command: string): boolean {
  return execaSync('sh', ['-c', `command -v ${command}`], { reject: false }).exitCode === 0;
}

describe('the man page', () => {
  const page = renderManPage(buildProgram({ stdout: new Capture(), stderr: new Capture(), env: {} }, () => {}));

  it('is current: man/netdoctor.1 is what `netdoctor man` prints (npm run docs writes it)', async () => {
    expect(readFileSync(`${REPO}/man/netdoctor.1`, 'utf8')).toBe(page);
    expect((await runCli(['man'])).stdout).toBe(page);
  });

  it('holds every option of --help, and the exit codes', async () => {
    const help = (await runCli(['--help'])).stdout;
    for (const flag of help.match(/--[a-z-]+/g) ?? []) expect(page).toContain(flag.replace(/-/g, '\\-'));
    expect(page).toContain('.SH EXIT STATUS\n0 nothing at or above \\-\\-fail\\-on');
    expect(page).toContain('.SS "netdoctor completion [options] <shell>"');
  });

  it.skipIf(!installed('man'))('renders without a warning', async () => {
    const result = await execa('man', ['--warnings', '-l', `${REPO}/man/netdoctor.1`], {
      env: { MANWIDTH: '100', MAN_KEEP_FORMATTING: '0' },
      reject: false,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('netdoctor - Diagnose why containers');
  });
});

describe('netdoctor completion', () => {
  async function bashCompletes(words: string[]): Promise<string[]> {
    const script = (await runCli(['completion', 'bash'])).stdout;
    const program = `${script}\nCOMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _netdoctor; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return (await execa('bash', ['-c', program])).stdout.split('\n').filter((line) => line !== '');
  }

  it.each([
    [['netdoctor', '--format', 'm'], ['markdown']],
    [
      ['netdoctor', 'why', 'a', 'b', '--format', ''],
      ['human', 'json'],
    ],
    [['netdoctor', '--fail-on', 'w'], ['warning']],
    [['netdoctor', 'explain', 'host.ip_f'], ['host.ip_forward_disabled']],
    [
      ['netdoctor', '--skip', 'dns.port'],
      ['dns.port53', 'dns.port53-dnsname', 'dns.port53_taken_for_aardvark', 'dns.port53_taken_for_dnsname'],
    ],
    [['netdoctor', 'w'], ['why']],
    [
      ['netdoctor', 'completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [['netdoctor', 'why', 'a', 'b', '--po'], ['--port']],
  ])('completes %j in bash', async (words, expected) => {
    expect(await bashCompletes(words)).toEqual(expected);
  });

  it.skipIf(!installed('fish'))('completes in fish', async () => {
    const script = (await runCli(['completion', 'fish'])).stdout;
    const complete = async (line: string) =>
      (await execa('fish', ['-c', `${script}\ncomplete -C '${line}'`])).stdout
        .split('\n')
        .map((entry) => entry.split('\t')[0]);
    expect(await complete('netdoctor --format m')).toEqual(['markdown']);
    expect(await complete('netdoctor explain host.ip_f')).toEqual(['host.ip_forward_disabled']);
    expect(await complete('netdoctor completion ')).toEqual(['bash', 'fish', 'zsh']);
  });

  it.skipIf(!installed('zsh'))('is a zsh script that zsh reads', async () => {
    const script = (await runCli(['completion', 'zsh'])).stdout;
    expect(script.startsWith('#compdef netdoctor\n')).toBe(true);
    const result = await execa('zsh', ['-n'], { input: script, reject: false });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(script).toContain("'--format[report format");
    expect(script).toContain(':value:(human json markdown junit github)');
  });
});
