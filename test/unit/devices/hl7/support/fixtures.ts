import { readFileSync } from 'node:fs';

/** Reads a file of test/fixtures/hl7 as bytes. */
export function hl7Fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../../fixtures/hl7/${name}`, import.meta.url));
}

/** Reads a file of test/fixtures/lab-cases as bytes. */
export function labCase(name: string): Buffer {
  return readFileSync(new URL(`../../../../fixtures/lab-cases/${name}`, import.meta.url));
}

/** Reads the expected outcomes of the lab cases, keyed by file name. */
export function labCaseExpectations(): Record<string, LabCaseExpectation> {
  return JSON.parse(labCase('expected.json').toString('utf8')) as Record<string, LabCaseExpectation>;
}

export interface LabCaseExpectation {
  case: string;
  protocol: string;
  outcome: string;
  layer: string;
  segment_ids?: string[];
  values?: Record<string, unknown>;
  response?: Record<string, string | number>;
  warning?: string;
  error?: { kind: string; segment_index: number; segment_text_starts: string };
  structure?: Record<string, number>;
  roundtrip?: string;
  groups?: Array<Record<string, unknown>>;
  messages?: string[];
  responses_in_order?: Array<Record<string, string>>;
  delivery?: string | { chunks: Array<[number, number]> };
  dispatch_after_chunk?: number;
}

/** Returns `value`, failing the test with `what` when it is undefined. */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}
