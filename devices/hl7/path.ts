import { Hl7Error } from './errors.js';

/**
 * A parsed field path. The notation is the one lab interface specifications use, all numbers
 * 1-based: `PID-5.1` is component 1 of PID-5, `OBX[2]-5` is OBX-5 of the second OBX, `PID-3[2].4`
 * is component 4 of the second repetition of PID-3, and `PID-3[2].4.1` its first subcomponent.
 * A path without a segment occurrence means the first one; without a repetition, the first one.
 */
export interface FieldPath {
  segmentId: string;
  occurrence: number;
  field: number;
  /** The repetition, or undefined when the path names none. */
  repetition: number | undefined;
  component: number | undefined;
  subcomponent: number | undefined;
}

const PATH_PATTERN = /^([A-Z][A-Z0-9]{2})(?:\[(\d{1,6})\])?-(\d{1,4})(?:\[(\d{1,6})\])?(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?$/;
const cache = new Map<string, FieldPath>();
const MAX_CACHED_PATHS = 1000;

/** Parses a path such as `OBX[2]-5.1`; throws an `Hl7Error` of kind 'invalid-path' if malformed. */
export function parsePath(path: string): FieldPath {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;

  const match = PATH_PATTERN.exec(path);
  const parsed = match ? fromMatch(match) : undefined;
  if (parsed === undefined) {
    throw new Hl7Error(
      'invalid-path',
      `Field path '${path.slice(0, 40)}' is not valid; write it as SEG[occurrence]-field[repetition].component.subcomponent with numbers from 1, e.g. OBX[2]-5 or PID-3[2].4`,
    );
  }
  if (cache.size < MAX_CACHED_PATHS) cache.set(path, parsed);
  return parsed;
}

function fromMatch(match: RegExpExecArray): FieldPath | undefined {
  const [, segmentId, occurrence, field, repetition, component, subcomponent] = match;
  const numbers = [occurrence, field, repetition, component, subcomponent].map((text) => (text === undefined ? undefined : Number(text)));
  const fieldNumber = numbers[1];
  if (segmentId === undefined || fieldNumber === undefined || numbers.some((number) => number === 0)) return undefined;
  return {
    segmentId,
    occurrence: numbers[0] ?? 1,
    field: fieldNumber,
    repetition: numbers[2],
    component: numbers[3],
    subcomponent: numbers[4],
  };
}
