import type { Facts } from './facts.js';
import type { Host } from './host.js';
import type { Finding, Severity, SkipKind } from './types.js';

/** The wording of one finding id: what it means, why it breaks container traffic, its usual cause and remedy. */
export interface FindingWording {
  severity: Severity;
  title: string;
  /** Why it breaks container traffic, in plain words. */
  explanation: string;
  /** What usually causes it on a real host. */
  cause: string;
  /** The general remedy; each finding carries the exact commands for the host at hand. */
  fix: string;
  docs: string;
}

/** The finding ids a check can report, each with its wording. Ids are a public contract: see docs/findings.md. */
export type FindingCatalog<Id extends string = string> = Readonly<Record<Id, FindingWording>>;

/** What a check's run returns: findings (none means it passed), or a skip that says why. */
export type CheckOutcome =
  { skip: SkipKind; reason: string } | { findings: Finding[]; summary?: string; reason?: string };

export interface CheckContext {
  host: Host;
  facts: Facts;
  /** Test traffic the user allowed beyond reading the host (`--probe-dns`); none unless asked for. */
  probes?: { dns?: boolean };
}

/**
 * A check: static metadata (its id, title, docs and the wording of every finding it can report) plus one
 * function, as an ESLint rule carries its meta and messages. Built-in ones are checks/<area>/<name>.ts with id
 * `<area>.<name>`; their finding ids start with the same area.
 */
export interface Check<Context extends CheckContext = CheckContext> {
  id: string;
  title: string;
  docs: string;
  findings: FindingCatalog;
  run(context: Context): Promise<CheckOutcome>;
}

/** What `list` and `explain` print of a check: everything but its code. */
export type CheckMetadata = Pick<Check, 'id' | 'title' | 'docs' | 'findings'>;
