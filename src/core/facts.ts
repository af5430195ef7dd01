import type { Host } from './host.js';

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
