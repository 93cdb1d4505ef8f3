import type { Encoding } from './charset.js';
import { DEFAULT_DELIMITERS } from './delimiters.js';
import type { Delimiters } from './delimiters.js';
import { Hl7Error } from './errors.js';
import { escapeValue } from './escape.js';
import type { Hl7Message } from './message.js';
import { messageFromBuiltText } from './parser.js';

/** Text that is already HL7-encoded (delimiters and escapes in place) and is written as is. */
export interface EncodedText {
  readonly encoded: string;
}

/** A leaf: plain text (escaped on output) or text already encoded. */
export type LeafValue = string | EncodedText;

/** A component: a leaf, or its subcomponents in order. */
export type ComponentValue = LeafValue | readonly LeafValue[];

/** One repetition of a field: a leaf, or its components in order. */
export type RepetitionValue = LeafValue | readonly ComponentValue[];

/** Several repetitions of one field. */
export interface RepeatedValue {
  readonly repetitions: readonly RepetitionValue[];
}

export type FieldValue = RepetitionValue | RepeatedValue;

/** Fields by their HL7 number, e.g. `{ 1: 'AA', 2: controlId }` for MSA. Missing numbers are empty. */
export type SegmentFields = Readonly<Record<number, FieldValue | undefined>>;

export interface SegmentInput {
  id: string;
  fields: SegmentFields;
}

/** Marks text as already encoded, e.g. a field copied from a received message with `segment.field(n)`. */
export function encoded(text: string): EncodedText {
  return { encoded: text };
}

/** Marks a list as the repetitions of one field. */
export function repeated(...repetitions: RepetitionValue[]): RepeatedValue {
  return { repetitions };
}

/**
 * Builds one segment's encoded text (no terminator). In MSH, fields 1 and 2 come from the
 * delimiters and any value given for them is ignored. Trailing empty fields and components are
 * left out, as HL7 allows.
 */
export function buildSegment(id: string, fields: SegmentFields, delimiters: Delimiters = DEFAULT_DELIMITERS): string {
  if (!/^[A-Z][A-Z0-9]{2}$/.test(id)) {
    throw new Hl7Error('unencodable-value', `Segment ID '${id.slice(0, 10)}' is not three capital letters or digits`);
  }
  const isHeader = id === 'MSH' || id === 'FHS' || id === 'BHS';
  const numbers = Object.keys(fields).map(Number).filter((number) => Number.isInteger(number) && number >= 1);
  const last = numbers.length === 0 ? 0 : Math.max(...numbers);

  const parts: string[] = isHeader ? [id, delimiters.encodingCharacters] : [id];
  for (let number = isHeader ? 3 : 1; number <= last; number++) {
    const value = fields[number];
    parts.push(value === undefined ? '' : encodeField(value, delimiters));
  }
  return trimTrailing(parts, isHeader ? 2 : 1).join(delimiters.field);
}

/** Builds message text from segments, each ended by CR. */
export function buildMessageText(segments: readonly SegmentInput[], delimiters: Delimiters = DEFAULT_DELIMITERS): string {
  let text = '';
  for (const segment of segments) text += `${buildSegment(segment.id, segment.fields, delimiters)}\r`;
  return text;
}

/**
 * Builds a message whose first segment must be MSH. `encoding` is what `toBytes()` will encode
 * with; MSH-18 should declare it.
 */
export function buildMessage(segments: readonly SegmentInput[], options: { delimiters?: Delimiters; encoding?: Encoding } = {}): Hl7Message {
  const delimiters = options.delimiters ?? DEFAULT_DELIMITERS;
  if (segments[0]?.id !== 'MSH') throw new Hl7Error('unencodable-value', 'A message must start with an MSH segment');
  const text = buildMessageText(segments, delimiters);
  const charset = segments[0].fields[18];
  const declaredCharset = typeof charset === 'string' ? charset : '';
  return messageFromBuiltText(text, options.encoding ?? 'utf-8', declaredCharset);
}

function encodeField(value: FieldValue, delimiters: Delimiters): string {
  if (isRepeated(value)) {
    if (value.repetitions.length > 1 && delimiters.repetition === undefined) {
      throw new Hl7Error('unencodable-value', `A field has ${value.repetitions.length} repetitions, but MSH-2 '${delimiters.encodingCharacters}' declares no repetition separator`);
    }
    return value.repetitions.map((repetition) => encodeRepetition(repetition, delimiters)).join(delimiters.repetition ?? '');
  }
  return encodeRepetition(value, delimiters);
}

function encodeRepetition(value: RepetitionValue, delimiters: Delimiters): string {
  if (!isList(value)) return encodeLeaf(value, delimiters);
  const components = value.map((component) => encodeComponent(component, delimiters));
  return trimTrailing(components, 1).join(delimiters.component);
}

function encodeComponent(value: ComponentValue, delimiters: Delimiters): string {
  if (!isList(value)) return encodeLeaf(value, delimiters);
  const subcomponents = value.map((subcomponent) => encodeLeaf(subcomponent, delimiters));
  const kept = trimTrailing(subcomponents, 1);
  if (kept.length > 1 && delimiters.subcomponent === undefined) {
    throw new Hl7Error('unencodable-value', `A component has ${kept.length} subcomponents, but MSH-2 '${delimiters.encodingCharacters}' declares no subcomponent separator`);
  }
  return kept.join(delimiters.subcomponent ?? '');
}

function encodeLeaf(value: LeafValue, delimiters: Delimiters): string {
  return typeof value === 'string' ? escapeValue(value, delimiters) : value.encoded;
}

function trimTrailing(parts: string[], keep: number): string[] {
  let length = parts.length;
  while (length > keep && parts[length - 1] === '') length--;
  return length === parts.length ? parts : parts.slice(0, length);
}

function isRepeated(value: FieldValue): value is RepeatedValue {
  return typeof value === 'object' && !Array.isArray(value) && 'repetitions' in value;
}

function isList<T>(value: T | readonly T[] | EncodedText | string): value is readonly T[] {
  return Array.isArray(value);
}
