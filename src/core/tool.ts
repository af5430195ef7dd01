/** Who wrote a report or a snapshot; the CLI prints the version without loading anything else. */
export const TOOL = { name: 'netdoctor', version: '0.1.0' };
