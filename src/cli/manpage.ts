import type { Command } from 'commander';
import { TOOL } from '../core/tool.js';

/** Sections that --help prints after the options and the man page prints as its own sections. */
export const HELP_SECTIONS = [
  {
    title: 'Exit codes',
    man: 'EXIT STATUS',
    text: '0 nothing at or above --fail-on; 1 findings at or above it; 2 the diagnosis is incomplete (a check errored); 64 usage error.',
  },
  {
    title: 'Files',
    man: 'FILES',
    text: '/etc/netdoctor/config.toml, then $XDG_CONFIG_HOME/netdoctor/config.toml (~/.config/netdoctor/config.toml): fail-on, skip, only, checks-dir, format and redact, as TOML (skip = ["dns.port53"]); an option on the command line wins.',
  },
  {
    title: 'Environment',
    man: 'ENVIRONMENT',
    text: 'NO_COLOR turns colour off; CI turns the spinner off; NETDOCTOR_CHECKS_DIR adds plug-in folders (colon-separated); GITHUB_STEP_SUMMARY receives the markdown report with --format github.',
  },
] as const;

export function helpSectionsText(): string {
  return HELP_SECTIONS.map((section) => `\n${section.title}: ${section.text}`).join('\n');
}

/** Text in roff: backslashes and hyphens escaped, a line never starting with a control character. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

function optionItems(command: Command): string[] {
  const help = command.createHelp();
  return help
    .visibleOptions(command)
    .flatMap((option) => ['.TP', `.B ${roff(help.optionTerm(option))}`, roff(help.optionDescription(option))]);
}

/**
 * netdoctor(1), from what commander holds for --help: the usage, description and options of the program and of
 * each command, then the sections --help prints after them.
 */
export function renderManPage(program: Command): string {
  const help = program.createHelp();
  const commands = help.visibleCommands(program).filter((command) => command.name() !== 'help');
  const lines = [
    `.TH NETDOCTOR 1 "" "netdoctor ${TOOL.version}" "User Commands"`,
    '.SH NAME',
    `netdoctor \\- ${roff(program.description())}`,
    '.SH SYNOPSIS',
    `.B netdoctor`,
    roff(help.commandUsage(program).replace(/^netdoctor /, '')),
    ...commands.flatMap((command) => ['.br', `.B netdoctor ${command.name()}`, roff(command.usage())]),
    '.SH DESCRIPTION',
    roff(program.description()),
    '.PP',
    roff(
      'It reads the host through read-only commands and files, and reports what is broken, why that breaks container traffic, the evidence it read and the commands that fix it. Formats: human (a terminal), json (schema/report.schema.json), markdown (a support ticket), junit (CI test reporters), github (workflow annotations and a step summary).',
    ),
    '.SH OPTIONS',
    ...optionItems(program),
    '.SH COMMANDS',
    ...commands.flatMap((command) => [
      `.SS "netdoctor ${roff(command.name())} ${roff(command.usage())}"`,
      roff(command.description()),
      ...optionItems(command),
    ]),
    ...HELP_SECTIONS.flatMap((section) => [`.SH ${section.man}`, roff(section.text)]),
    '.SH SEE ALSO',
    '.BR podman (1),',
    '.BR docker (1)',
  ];
  return `${lines.join('\n')}\n`;
}
