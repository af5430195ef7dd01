import { UsageError } from '../core/errors.js';

/** The parser of an option given in seconds (--timeout, --command-timeout): a positive number. */
export function parseSeconds(option: string): (value: string) => number {
  return (value) => {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UsageError(`${option} takes a positive number of seconds, not "${value}"`);
    return seconds;
  };
}
