import type { CatalogEntry } from '../pipeline/catalog.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** docs/findings.md: every finding id with its wording, generated from the checks' metadata. */
export function renderFindingsDoc(catalog: readonly CatalogEntry[]): string {
  const lines = [
    '# netdoctor findings',
    '',
    '<!-- Generated from the metadata of the checks (checks/<area>/<name>.ts) by `npm run docs`; a test keeps it current. -->',
    '',
    'Every finding netdoctor reports carries one of these ids in `findings[].id` of its JSON report. The ids are a',
    'public contract: an id never changes meaning and is never renamed. Severity: `error` breaks container',
    'connectivity now, `warning` breaks it under common conditions, `info` is context. `netdoctor explain ID` prints',
    'the same text.',
    '',
    '| id | severity | title | reported by |',
    '|---|---|---|---|',
    ...catalog.map(
      (entry) =>
        `| [\`${entry.id}\`](#${entry.id.replace(/\./g, '')}) | ${entry.severity} | ${cell(entry.title)} | ${entry.reporters.map((id) => `\`${id}\``).join(', ')} |`,
    ),
  ];
  for (const entry of catalog) {
    lines.push(
      '',
      `## ${entry.id}`,
      '',
      `**${entry.title}** (${entry.severity})`,
      '',
      entry.explanation,
      '',
      `- Usual cause: ${entry.cause}`,
      `- Fix: ${entry.fix}`,
      `- Reported by: ${entry.reporters.map((id) => `\`${id}\``).join(', ')}`,
      `- Docs: ${entry.docs}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
