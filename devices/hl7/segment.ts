import type { Encoding } from './charset.js';
import type { Delimiters } from './delimiters.js';
import { unescapeValue } from './escape.js';

/** Delimiters and decoding shared by every segment of one message. */
export interface SegmentContext {
  readonly delimiters: Delimiters;
  readonly encoding: Encoding;
  /** Converts a character index in the message text to a byte offset in the parser's input. */
  byteOffsetOf(characterIndex: number): number;
}

/**
 * One segment. Fields are split on first access and components only when asked for, so reading a
 * few fields of a long message costs little. Values come back in one of two forms:
 *
 * - a leaf (an element with no inner delimiter) is returned decoded, escape sequences resolved;
 * - an element that still has structure (a field with components, a component with
 *   subcomponents) is returned as encoded text with its delimiters, so nothing is lost or merged.
 *
 * An absent element reads as ''. In MSH, field 1 is the field separator and field 2 the encoding
 * characters, both returned exactly as received.
 */
export class Hl7Segment {
  readonly id: string;
  /** Position in the message, from 1, counting only non-empty segments. */
  readonly position: number;
  /** The segment's encoded text without its terminator. */
  readonly raw: string;
  readonly #context: SegmentContext;
  readonly #textOffset: number;
  readonly #isHeader: boolean;
  #parts: string[] | undefined;
  #repetitions: Map<number, readonly string[]> | undefined;

  constructor(id: string, raw: string, position: number, textOffset: number, context: SegmentContext) {
    this.id = id;
    this.raw = raw;
    this.position = position;
    this.#textOffset = textOffset;
    this.#context = context;
    this.#isHeader = id === 'MSH' || id === 'FHS' || id === 'BHS';
  }

  /** Byte offset of the segment's first byte in the parser's input. */
  get byteOffset(): number {
    return this.#context.byteOffsetOf(this.#textOffset);
  }

  /** Number of the last field present (0 for a segment with an ID only). */
  get fieldCount(): number {
    const parts = this.#fields();
    return this.#isHeader ? parts.length : parts.length - 1;
  }

  /** Returns the encoded text of field `n`, '' when absent. */
  field(n: number): string {
    const parts = this.#fields();
    if (this.#isHeader) {
      if (n === 1) return this.#context.delimiters.field;
      return parts[n - 1] ?? '';
    }
    return parts[n] ?? '';
  }

  /** Returns the encoded text of each repetition of field `n`, or [] when the field is empty or absent. */
  repetitions(n: number): string[] {
    const text = this.field(n);
    if (text === '') return [];
    const separator = this.#context.delimiters.repetition;
    if (separator === undefined || this.#isEncodingField(n) || !text.includes(separator)) return [text];
    return text.split(separator);
  }

  /** Returns the value at field `n`, repetition, component and subcomponent (see the class comment). */
  value(n: number, repetition = 1, component?: number, subcomponent?: number): string {
    const text = this.field(n);
    if (text === '') return '';
    if (this.#isEncodingField(n)) return repetition === 1 && (component ?? 1) === 1 && (subcomponent ?? 1) === 1 ? text : '';

    const repetitionText = repetition === 1 ? this.#firstRepetition(n) : (this.#cachedRepetitions(n)[repetition - 1] ?? '');
    return this.#valueIn(repetitionText, component, subcomponent);
  }

  /**
   * `value()` of each component of one repetition of field `n`, in order: a component with
   * subcomponents comes back encoded, any other decoded. [] when the repetition is empty or absent.
   */
  components(n: number, repetition = 1): string[] {
    if (this.#isEncodingField(n)) {
      const text = this.field(n);
      return repetition === 1 && text !== '' ? [text] : [];
    }
    const text = repetition === 1 ? this.#firstRepetition(n) : (this.#cachedRepetitions(n)[repetition - 1] ?? '');
    if (text === '') return [];
    const delimiters = this.#context.delimiters;
    const components = text.split(delimiters.component);
    // Most repetitions hold neither escapes nor subcomponents; their components need no more work.
    const plain = (delimiters.escape === undefined || !text.includes(delimiters.escape)) && (delimiters.subcomponent === undefined || !text.includes(delimiters.subcomponent));
    if (plain) return components;
    return components.map((component) => (this.#hasStructure(component, false) ? component : this.decode(component)));
  }

  /** `value()` of every repetition of field `n`, in order; [] when the field is empty or absent. */
  values(n: number, component?: number, subcomponent?: number): string[] {
    if (this.#isEncodingField(n)) {
      const text = this.field(n);
      return text === '' ? [] : [this.value(n, 1, component, subcomponent)];
    }
    return this.repetitions(n).map((text) => this.#valueIn(text, component, subcomponent));
  }

  /** Decodes a leaf value of this segment's message (escape sequences resolved). */
  decode(text: string): string {
    return unescapeValue(text, this.#context.delimiters, this.#context.encoding);
  }

  toString(): string {
    return this.raw;
  }

  #firstRepetition(n: number): string {
    const text = this.field(n);
    const separator = this.#context.delimiters.repetition;
    return separator === undefined ? text : piece(text, separator, 1);
  }

  /** Repetitions kept per field, so that reading repetition after repetition of a long field stays linear. */
  #cachedRepetitions(n: number): readonly string[] {
    let cached = this.#repetitions?.get(n);
    if (cached === undefined) {
      cached = this.repetitions(n);
      this.#repetitions ??= new Map();
      this.#repetitions.set(n, cached);
    }
    return cached;
  }

  #valueIn(repetitionText: string, component: number | undefined, subcomponent: number | undefined): string {
    if (repetitionText === '') return '';
    const delimiters = this.#context.delimiters;
    if (component === undefined) {
      return this.#hasStructure(repetitionText, true) ? repetitionText : this.decode(repetitionText);
    }

    const componentText = piece(repetitionText, delimiters.component, component);
    if (subcomponent === undefined) {
      return this.#hasStructure(componentText, false) ? componentText : this.decode(componentText);
    }
    if (delimiters.subcomponent === undefined) return subcomponent === 1 ? this.decode(componentText) : '';
    return this.decode(piece(componentText, delimiters.subcomponent, subcomponent));
  }

  #hasStructure(text: string, checkComponents: boolean): boolean {
    const delimiters = this.#context.delimiters;
    if (checkComponents && text.includes(delimiters.component)) return true;
    return delimiters.subcomponent !== undefined && text.includes(delimiters.subcomponent);
  }

  #isEncodingField(n: number): boolean {
    return this.#isHeader && n <= 2;
  }

  #fields(): string[] {
    if (this.#parts === undefined) this.#parts = this.raw.split(this.#context.delimiters.field);
    return this.#parts;
  }
}

/** Returns the n-th (1-based) piece of `text` split at `separator`, without splitting all of it. */
function piece(text: string, separator: string, n: number): string {
  let start = 0;
  for (let index = 1; index < n; index++) {
    const next = text.indexOf(separator, start);
    if (next < 0) return '';
    start = next + separator.length;
  }
  const end = text.indexOf(separator, start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}
