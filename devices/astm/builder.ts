import type { AstmDelimiters } from './delimiters.js';
import { DEFAULT_DELIMITERS, delimiterProblem } from './delimiters.js';
import { AstmBuildError } from './errors.js';
import { escapeComponent } from './escape.js';
import { AstmField } from './record.js';
import type { AstmFieldName, AstmRecordType } from './record-fields.js';
import { fieldNumberOf, isAstmRecordType } from './record-fields.js';

/**
 * A field value to write. A string is one component. An array of strings is the components of one
 * repetition, written as given with empty trailing components included. An array of arrays is
 * several repetitions. A parsed AstmField is written back with the same repetitions and components.
 */
export type AstmFieldValue = string | readonly string[] | readonly (readonly string[])[] | AstmField;

/** Field values by LIS2-A2 name or 1-based field number; the record type (field 1) is set from `type`. */
export type AstmRecordFields<T extends AstmRecordType> = { readonly [Name in AstmFieldName<T>]?: AstmFieldValue } & {
  readonly [position: number]: AstmFieldValue | undefined;
};

export type AstmRecordInput = { [T in AstmRecordType]: { readonly type: T; readonly fields?: AstmRecordFields<T> } }[AstmRecordType];

export interface AstmBuildOptions {
  /** Delimiters to declare in the H record and write with. Default `|\^&`. */
  delimiters?: AstmDelimiters;
}

/**
 * Builds a message text: each record followed by CR, ready for AstmLink.send. The first record
 * must be H; its delimiter definition (H.2) is written from `options.delimiters`. Fields are
 * written up to the highest one given, so a field given as '' is written even at the end.
 * Throws AstmBuildError for unusable delimiters, a first record other than H, a field number
 * below 2 or not a whole number, or a value with a control character.
 */
export function buildAstmMessage(records: readonly AstmRecordInput[], options: AstmBuildOptions = {}): string {
  const delimiters = options.delimiters ?? DEFAULT_DELIMITERS;
  const problem = delimiterProblem(delimiters);
  if (problem) throw new AstmBuildError('invalid-delimiters', `Cannot build with delimiters ${JSON.stringify(delimiters)}: ${problem}`);

  const first = records[0];
  if (!first) throw new AstmBuildError('empty-message', 'A message needs at least an H record; none was given');
  if (first.type !== 'H') throw new AstmBuildError('missing-header', `A message must start with an H record, not ${first.type}`);

  return records.map((record) => buildAstmRecord(record, delimiters) + '\r').join('');
}

/** Builds one record without its CR; see buildAstmMessage for the rules. */
export function buildAstmRecord(record: AstmRecordInput, delimiters: AstmDelimiters = DEFAULT_DELIMITERS): string {
  if (!isAstmRecordType(record.type)) {
    throw new AstmBuildError('invalid-field-position', `Record type ${JSON.stringify(record.type)} is not one LIS2-A2 defines: use H, P, O, R, C, Q, M, S or L`);
  }

  const values = fieldValuesByNumber(record);
  const fields: string[] = [record.type];

  const lastPosition = Math.max(record.type === 'H' ? 2 : 1, ...values.keys());

  for (let position = 2; position <= lastPosition; position += 1) {
    if (record.type === 'H' && position === 2) {
      fields.push(delimiters.repeat + delimiters.component + delimiters.escape);
      continue;
    }
    const value = values.get(position);
    fields.push(value === undefined ? '' : encodeField(value, delimiters, `${record.type}.${position}`));
  }
  return fields.join(delimiters.field);
}

function fieldValuesByNumber(record: AstmRecordInput): Map<number, AstmFieldValue> {
  const values = new Map<number, AstmFieldValue>();

  for (const [key, value] of Object.entries(record.fields ?? {}) as [string, AstmFieldValue | undefined][]) {
    if (value === undefined) continue;

    const position = /^\d+$/.test(key) ? Number(key) : fieldNumberOf(record.type, key);
    if (position === undefined || position < 2) {
      throw new AstmBuildError(
        'invalid-field-position',
        `Field ${JSON.stringify(key)} of record ${record.type} is neither a LIS2-A2 field name nor a field number from 2 up (field 1 is the record type)`,
      );
    }
    if (record.type === 'H' && position === 2) {
      throw new AstmBuildError('invalid-field-position', 'H.2 is the delimiter definition: choose delimiters with options.delimiters instead of setting the field');
    }
    values.set(position, value);
  }
  return values;
}

function encodeField(value: AstmFieldValue, delimiters: AstmDelimiters, fieldId: string): string {
  const repeats = repetitionsOf(value);
  return repeats
    .map((components) => components.map((component) => encodeComponent(component, delimiters, fieldId)).join(delimiters.component))
    .join(delimiters.repeat);
}

function repetitionsOf(value: AstmFieldValue): readonly (readonly string[])[] {
  if (value instanceof AstmField) return value.repeats;
  if (typeof value === 'string') return [[value]];
  if (value.every((item): item is string => typeof item === 'string')) return [value as readonly string[]];
  return value as readonly (readonly string[])[];
}

function encodeComponent(component: string, delimiters: AstmDelimiters, fieldId: string): string {
  const control = [...component].find((character) => character < ' ' || character === '\x7f');
  if (control !== undefined) {
    const code = control.charCodeAt(0).toString(16).padStart(2, '0');
    throw new AstmBuildError(
      'invalid-character',
      `Field ${fieldId} contains the control character 0x${code}, which LIS2-A2 cannot carry in a value: remove it before building`,
    );
  }
  return escapeComponent(component, delimiters);
}
