import type { WhyRequest } from '../../src/pair/diagnose.js';
import { labState, type Recording } from './recordings.js';

/** A state of a lab scenario that runs `netdoctor why` (its recording is of that run), with the request it made. */
export function labWhyState(state: string, a: string, b: string): Recording {
  const request: WhyRequest = { a, b, ports: [] };
  return { ...labState(state), request };
}
