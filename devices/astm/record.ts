import type { AstmFieldName } from './record-fields.js';
import { fieldNumberOf } from './record-fields.js';

/**
 * One field of a record: its repetitions, each a list of components, with escape sequences
 * decoded. An empty field has one repetition with one empty component.
 */
export class AstmField {
  static readonly EMPTY = new AstmField([['']]);

  constructor(readonly repeats: readonly (readonly string[])[]) {}

  /** The first component of the first repetition: the whole value of a simple field. */
  get value(): string {
    return this.repeats[0]?.[0] ?? '';
  }

  /** The components of the first repetition. */
  get components(): readonly string[] {
    return this.repeats[0] ?? [''];
  }

  get isEmpty(): boolean {
    return this.repeats.every((components) => components.every((component) => component === ''));
  }

  /** Returns component `position` (1-based) of repetition `repeat` (1-based), or '' when absent. */
  component(position: number, repeat = 1): string {
    return this.repeats[repeat - 1]?.[position - 1] ?? '';
  }
}

/**
 * One LIS2-A2 record. Fields are numbered as LIS2-A2 numbers them: the record type is field 1,
 * so `field(4)` of an R record is its data or measurement value.
 */
export class AstmRecord<T extends string = string> {
  constructor(
    readonly type: T,
    /** `fields[0]` is field 1, the record type. */
    readonly fields: readonly AstmField[],
    /** Offset of the record's first character in the parsed text. */
    readonly offset: number,
    /** The record as received, without its CR. */
    readonly text: string,
  ) {}

  /** Number of fields the record carried, counting the record type. */
  get fieldCount(): number {
    return this.fields.length;
  }

  /**
   * Returns field `position` (1-based, or its LIS2-A2 name); an empty field when the record
   * ended before it, as LIS2-A2 lets senders drop trailing empty fields.
   */
  field(position: number | AstmFieldName<T>): AstmField {
    const number = typeof position === 'number' ? position : fieldNumberOf(this.type, position);
    if (number === undefined) throw new RangeError(`Record type ${this.type} has no LIS2-A2 field named ${String(position)}`);
    return this.fields[number - 1] ?? AstmField.EMPTY;
  }

  /** Shorthand for `field(position).value`. */
  value(position: number | AstmFieldName<T>): string {
    return this.field(position).value;
  }

  /** Narrows the record to type `type`. */
  is<U extends string>(type: U): this is AstmRecord<U> {
    return (this.type as string) === type;
  }
}
