import { expect } from 'vitest';

import type { AstmMessage } from '../../../../../devices/astm/index.js';

/**
 * An expected field: a string for a field of one value, an array for the components of a field
 * that does not repeat, an array of arrays for the repetitions of a field. A path ending in a
 * component number (`R[3].4.2`) expects that one component as a string.
 */
export type ExpectedField = string | readonly string[] | readonly (readonly string[])[];

/** Expected values by path: `TYPE[n].field` or `TYPE[n].field.component`, `TYPE` meaning `TYPE[1]`. */
export type ExpectedValues = Readonly<Record<string, ExpectedField>>;

/** Checks each path of `expected` against the message, one assertion per path. */
export function expectValues(message: AstmMessage, expected: ExpectedValues): void {
  for (const [path, value] of Object.entries(expected)) {
    const match = /^([A-Z])(?:\[(\d+)\])?\.(\d+)(?:\.(\d+))?$/.exec(path);
    if (!match) throw new Error(`bad path ${path}`);

    const [, type, index = '1', fieldNumber, component] = match;
    const record = message.recordsOfType(type as string)[Number(index) - 1];
    expect(record, `${path}: record missing`).toBeDefined();
    const field = record?.field(Number(fieldNumber));

    if (component !== undefined) {
      expect(field?.component(Number(component)), path).toBe(value);
    } else {
      expect(field?.repeats, path).toEqual(asRepeats(value));
    }
  }
}

function asRepeats(value: ExpectedField): readonly (readonly string[])[] {
  if (typeof value === 'string') return [[value]];
  if (value.every((item) => typeof item === 'string')) return [value as readonly string[]];
  return value as readonly (readonly string[])[];
}

/** Joins the record types of a message into one string, such as `HPORL`. */
export function recordTypes(message: AstmMessage): string {
  return message.records.map((record) => record.type).join('');
}
