import { expect } from 'vitest';
import { EngineOutputError } from '../../src/facts/model.js';

/** The parse fails with an EngineOutputError whose message starts by naming the command. */
export function expectEngineOutputError(parse: () => unknown, messageStart: string): void {
  let thrown: unknown;
  try {
    parse();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(EngineOutputError);
  expect((thrown as Error).message.startsWith(messageStart), (thrown as Error).message).toBe(true);
}
