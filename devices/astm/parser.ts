import type { AstmDelimiters } from './delimiters.js';
import { readDelimiterDeclaration } from './delimiters.js';
import { AstmParseError } from './errors.js';
import { unescapeComponent } from './escape.js';
import { AstmField, AstmRecord } from './record.js';
import { isAstmRecordType } from './record-fields.js';

export interface AstmParseOptions {
  /** How to decode byte input: `latin1` (the default) keeps character offsets equal to byte offsets. */
  encoding?: 'latin1' | 'utf8';
}

/** Deviations the parser read through; the values are as the sender meant them, or kept as sent. */
export type AstmParseWarningCode =
  | 'repaired-delimiter-definition'
  | 'unknown-record-type'
  | 'invalid-escape-sequence'
  | 'missing-terminator-record'
  | 'record-after-terminator';

export interface AstmParseWarning {
  readonly code: AstmParseWarningCode;
  readonly message: string;
  readonly offset: number;
}

/** One LIS2-A2 message: an H record, the records it carries, and normally an L record. */
export class AstmMessage {
  constructor(
    readonly delimiters: AstmDelimiters,
    /** Every record in order, the H record first. */
    readonly records: readonly AstmRecord[],
    readonly warnings: readonly AstmParseWarning[],
  ) {}

  get header(): AstmRecord<'H'> {
    return this.records[0] as AstmRecord<'H'>;
  }

  /** Offset of the H record in the parsed text. */
  get offset(): number {
    return this.header.offset;
  }

  recordsOfType<T extends string>(type: T): AstmRecord<T>[] {
    return this.records.filter((record): record is AstmRecord<T> => record.is(type));
  }
}

/**
 * Parses LIS2-A2 records into messages; each H record starts a new message with the delimiters
 * it declares. Records end with CR; LF and CR LF are accepted too. Throws AstmParseError when the
 * text contains no records, a record comes before any H, an H declares unusable delimiters, or a
 * record type is not followed by the field delimiter.
 */
export function parseAstmMessages(input: string | Uint8Array, options: AstmParseOptions = {}): AstmMessage[] {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString(options.encoding ?? 'latin1');
  const messages: AstmMessage[] = [];
  let builder: MessageBuilder | undefined;

  for (const line of recordLines(text)) {
    if (line.text[0] === 'H') {
      if (builder) messages.push(builder.finish());
      builder = new MessageBuilder(line);
      continue;
    }
    if (!builder) {
      throw new AstmParseError(
        'missing-header',
        `The record at offset ${line.offset} (${describeRecordStart(line.text)}) comes before any H record: a message must start with H|\\^& or the delimiters it uses`,
        line.offset,
      );
    }
    builder.add(line);
  }

  if (builder) messages.push(builder.finish());
  if (messages.length === 0) {
    throw new AstmParseError('empty-message', 'The text contains no records: an ASTM message starts with an H record', 0);
  }
  return messages;
}

/** Parses text that must hold exactly one message; throws AstmParseError `multiple-messages` otherwise. */
export function parseAstmMessage(input: string | Uint8Array, options: AstmParseOptions = {}): AstmMessage {
  const messages = parseAstmMessages(input, options);
  const second = messages[1];
  if (second) {
    throw new AstmParseError(
      'multiple-messages',
      `The text contains ${messages.length} messages (a second H record at offset ${second.offset}): parse it with parseAstmMessages`,
      second.offset,
    );
  }
  return messages[0] as AstmMessage;
}

interface RecordLine {
  readonly text: string;
  readonly offset: number;
}

/** Yields non-blank lines split on CR, LF or CR LF, with their offsets. */
function* recordLines(text: string): Generator<RecordLine> {
  const separator = /\r\n|\r|\n/g;
  let start = 0;

  for (;;) {
    const match = separator.exec(text);
    const end = match ? match.index : text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') yield { text: line, offset: start };
    if (!match) return;
    start = separator.lastIndex;
  }
}

class MessageBuilder {
  readonly #delimiters: AstmDelimiters;
  readonly #records: AstmRecord[] = [];
  readonly #warnings: AstmParseWarning[] = [];
  #terminated = false;

  constructor(header: RecordLine) {
    const declaration = readDelimiterDeclaration(header.text);
    if (!declaration.ok) {
      throw new AstmParseError('invalid-delimiters', `The H record at offset ${header.offset} is unusable: ${declaration.reason}`, header.offset);
    }

    this.#delimiters = declaration.delimiters;
    if (declaration.repaired) {
      const { repeat, component, escape } = declaration.delimiters;
      this.#warn(
        'repaired-delimiter-definition',
        `The H record at offset ${header.offset} declares delimiters ${JSON.stringify(declaration.definition)}; read as ${JSON.stringify(repeat + component + escape)} (repeat, component, escape)`,
        header.offset,
      );
    }
    this.#records.push(this.#parseHeader(header, declaration.definition));
  }

  add(line: RecordLine): void {
    const type = line.text[0] as string;

    if (line.text.length > 1 && line.text[1] !== this.#delimiters.field) {
      throw new AstmParseError(
        'invalid-record',
        `The record at offset ${line.offset} (${describeRecordStart(line.text)}) has no field delimiter '${this.#delimiters.field}' after its record type: the record is corrupt or a line break split it`,
        line.offset,
      );
    }
    if (!isAstmRecordType(type)) {
      this.#warn('unknown-record-type', `Record type ${JSON.stringify(type)} at offset ${line.offset} is not one LIS2-A2 defines; kept as received`, line.offset);
    }
    if (this.#terminated) {
      this.#warn('record-after-terminator', `Record ${JSON.stringify(type)} at offset ${line.offset} follows the L record without a new H record`, line.offset);
    }
    if (type === 'L') this.#terminated = true;

    this.#records.push(new AstmRecord(type, this.#splitFields(line.text, line.offset), line.offset, line.text));
  }

  finish(): AstmMessage {
    if (!this.#terminated) {
      const last = this.#records[this.#records.length - 1] as AstmRecord;
      this.#warn('missing-terminator-record', `The message starting at offset ${this.#records[0]?.offset} has no L record after offset ${last.offset}`, last.offset);
    }
    return new AstmMessage(this.#delimiters, this.#records, this.#warnings);
  }

  /** The delimiter definition (H.2) is taken as written; it is not data, so nothing in it is split. */
  #parseHeader(header: RecordLine, definition: string): AstmRecord<'H'> {
    const afterDefinition = 2 + definition.length;
    const rest = header.text.slice(afterDefinition + 1);
    const restFields = afterDefinition < header.text.length ? this.#splitFields(rest, header.offset + afterDefinition + 1) : [];
    const fields = [new AstmField([['H']]), new AstmField([[definition]]), ...restFields];
    return new AstmRecord('H', fields, header.offset, header.text);
  }

  #splitFields(text: string, offset: number): AstmField[] {
    const { field, repeat, component } = this.#delimiters;
    const fields: AstmField[] = [];
    let fieldOffset = offset;

    for (const fieldText of text.split(field)) {
      const repeats = fieldText.split(repeat).map((repeatText) =>
        repeatText.split(component).map((componentText) => this.#unescape(componentText, fieldOffset)),
      );
      fields.push(new AstmField(repeats));
      fieldOffset += fieldText.length + 1;
    }
    return fields;
  }

  #unescape(text: string, fieldOffset: number): string {
    return unescapeComponent(text, this.#delimiters, (problem) => {
      this.#warn(
        'invalid-escape-sequence',
        `The field at offset ${fieldOffset} contains ${JSON.stringify(problem.sequence)}, which is not an escape sequence LIS2-A2 defines; kept as received`,
        fieldOffset,
      );
    });
  }

  #warn(code: AstmParseWarningCode, message: string, offset: number): void {
    this.#warnings.push({ code, message, offset });
  }
}

/** Names a record by its type only, because the rest may hold patient data that errors must not carry. */
function describeRecordStart(text: string): string {
  return `record type ${JSON.stringify(text[0])}`;
}
