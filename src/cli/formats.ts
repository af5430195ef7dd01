/** The report formats; apart from their renderers, so that parsing the command line loads none of them. */
export const FORMATS = ['human', 'json', 'markdown', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];
