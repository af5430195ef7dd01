import { NotRecordedError, type Host } from './host.js';

/** A fact: one named thing about the host, loaded from the host (or from other facts) and parsed once. */
export interface FactDefinition<T> {
  key: string;
  load(facts: Facts): Promise<T>;
}

export function defineFact<T>(key: string, load: (facts: Facts) => Promise<T>): FactDefinition<T> {
  return { key, load };
}

/** The memo of facts for one run: every check that asks for a fact gets the same promise. */
export class Facts {
  private readonly loaded = new Map<string, Promise<unknown>>();

  constructor(readonly host: Host) {}

  get<T>(definition: FactDefinition<T>): Promise<T> {
    let pending = this.loaded.get(definition.key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = definition.load(this);
      this.loaded.set(definition.key, pending);
    }
    return pending;
  }
}

/**
 * A fact that only adds detail to what a check decided from others (whether a hung dockerd is stopped, say):
 * undefined when a replayed snapshot did not record what it reads, where a live host always answers.
 */
export async function detailIfRecorded<T>(facts: Facts, definition: FactDefinition<T>): Promise<T | undefined> {
  try {
    return await facts.get(definition);
  } catch (error) {
    if (error instanceof NotRecordedError) return undefined;
    throw error;
  }
}

/** Why a fact has no value on this host: it does not apply here, or it could not be read (and why). */
export interface NoValue {
  ok: false;
  absent: 'not_applicable' | 'unreadable';
  reason: string;
}

export function doesNotApply(reason: string): NoValue {
  return { ok: false, absent: 'not_applicable', reason };
}

export function unreadable(reason: string): NoValue {
  return { ok: false, absent: 'unreadable', reason };
}
