import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import type { Snapshot } from '../../src/host/snapshot.js';
import { BROKEN, runCli, temporaryFolders } from '../helpers/run-cli.js';

// A network whose name holds terminal escape sequences: a title change (OSC 0), a screen clear (CSI 2J), a bell.
const HOSTILE = 'ndl-\u001b]0;owned\u0007\u001b[2Jfwd';
/** C0 controls but tab and newline, DEL and C1 controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');

const folder = temporaryFolders();

/** The broken lab snapshot with its network ndl-fwd renamed: JSON output gets the JSON escapes, the rest raw. */
function hostileSnapshot(): string {
  const snapshot = JSON.parse(readFileSync(BROKEN, 'utf8')) as Snapshot;
  const jsonName = JSON.stringify(HOSTILE).slice(1, -1);
  for (const command of snapshot.commands) {
    command.argv = command.argv.map((arg) => arg.replaceAll('ndl-fwd', HOSTILE));
    command.stdout = command.stdout.replaceAll('ndl-fwd', /^\s*[[{]/.test(command.stdout) ? jsonName : HOSTILE);
  }
  const file = join(folder(), 'hostile.json');
  writeFileSync(file, JSON.stringify(snapshot));
  return file;
}

describe('a host name holding escape sequences', () => {
  it('reaches the JSON report exactly', async () => {
    const { stdout } = await runCli(['--replay', hostileSnapshot(), '--json']);
    const report = JSON.parse(stdout) as Report;
    // host.ip_forward_disabled names the rootful networks it concerns, this one among them.
    expect(report.findings.find((item) => item.id === 'host.ip_forward_disabled')?.explanation).toContain(HOSTILE);
  });

  // Markdown prose also escapes the brackets, so that the written-out name stays text there.
  it.each([
    ['human', 'ndl-\\x1b]0;owned\\x07\\x1b[2Jfwd'],
    ['markdown', 'ndl-\\\\x1b\\]0;owned\\\\x07\\\\x1b\\[2Jfwd'],
    ['junit', 'ndl-\\x1b]0;owned\\x07\\x1b[2Jfwd'],
    ['github', 'ndl-\\x1b]0;owned\\x07\\x1b[2Jfwd'],
  ])('reaches the %s format written out, never raw', async (format, written) => {
    const { stdout } = await runCli(['--replay', hostileSnapshot(), '--format', format, '--color', 'never'], {
      tty: true,
      env: { TERM: 'xterm' },
    });
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stdout).toContain(written);
  });

  it("is written out in colour too: only netdoctor's own colour codes reach the terminal", async () => {
    const { stdout } = await runCli(['--replay', hostileSnapshot(), '--color', 'always']);
    const withoutColours = stdout.replace(COLOUR, '');
    expect(withoutColours).not.toMatch(RAW_CONTROL);
  });

  it('stays text in the rendered markdown', async () => {
    const { stdout } = await runCli(['--replay', hostileSnapshot(), '--format', 'markdown']);
    const html = new MarkdownIt({ html: true }).render(stdout);
    expect(html).not.toMatch(RAW_CONTROL);
  });
});

describe('netdoctor why with escape sequences in a container name', () => {
  it('writes them out in the pair view', async () => {
    const snapshotPath = new URL('../fixtures/why/no-shared-network-podman.json', import.meta.url).pathname;
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
    const report = JSON.parse(
      (await runCli(['why', 'nd-why-web', 'nd-why-db', '--replay', snapshotPath, '--json'])).stdout,
    ) as Report;
    expect(report.pair).toBeDefined();
    const hostileName = 'nd-why-\u001b[2J\u009bweb';
    const jsonName = JSON.stringify(hostileName).slice(1, -1);
    for (const command of snapshot.commands) {
      command.argv = command.argv.map((arg) => arg.replaceAll('nd-why-web', hostileName));
      command.stdout = command.stdout.replaceAll(
        'nd-why-web',
        /^\s*[[{]/.test(command.stdout) ? jsonName : hostileName,
      );
    }
    const file = join(folder(), 'why-hostile.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const { stdout } = await runCli(['why', hostileName, 'nd-why-db', '--replay', file, '--color', 'never']);
    expect(stdout).toContain('nd-why-\\x1b[2J\\x9bweb');
    expect(stdout).not.toMatch(RAW_CONTROL);
  });
});
