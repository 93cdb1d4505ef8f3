import { encodeText } from './charset.js';
import type { Encoding } from './charset.js';
import type { Delimiters } from './delimiters.js';
import type { Hl7Warning } from './errors.js';
import { parsePath } from './path.js';
import type { Hl7Segment } from './segment.js';

/** MSH-9 split into its components. */
export interface MessageType {
  /** MSH-9.1, e.g. ORU. */
  code: string;
  /** MSH-9.2, e.g. R01. */
  trigger: string;
  /** MSH-9.3, e.g. ORU_R01 (from v2.3.1 on; often empty). */
  structure: string;
}

export interface MessageSource {
  segments: readonly Hl7Segment[];
  delimiters: Delimiters;
  encoding: Encoding;
  declaredCharset: string;
  warnings: readonly Hl7Warning[];
}

/**
 * A parsed HL7 v2 message. Field access by path follows `Hl7Segment.value()`: leaves come back
 * decoded, elements with structure in their encoded form, absent ones as ''.
 */
export class Hl7Message {
  readonly segments: readonly Hl7Segment[];
  /** The MSH segment. */
  readonly header: Hl7Segment;
  readonly delimiters: Delimiters;
  /** Encoding the bytes were decoded with, and that `toBytes()` encodes with. */
  readonly encoding: Encoding;
  /** MSH-18 as received (first repetition), '' when absent. */
  readonly declaredCharset: string;
  readonly warnings: readonly Hl7Warning[];
  #byId: Map<string, Hl7Segment[]> | undefined;

  constructor(source: MessageSource) {
    const header = source.segments[0];
    if (header === undefined) throw new TypeError('A message needs at least its MSH segment');
    this.header = header;
    this.segments = source.segments;
    this.delimiters = source.delimiters;
    this.encoding = source.encoding;
    this.declaredCharset = source.declaredCharset;
    this.warnings = source.warnings;
  }

  /** MSH-10, the message control ID that MSA-2 of the acknowledgment repeats. */
  get controlId(): string {
    return this.header.value(10);
  }

  get messageType(): MessageType {
    const header = this.header;
    return { code: header.value(9, 1, 1), trigger: header.value(9, 1, 2), structure: header.value(9, 1, 3) };
  }

  /** MSH-12.1, e.g. 2.5.1. */
  get version(): string {
    return this.header.value(12, 1, 1);
  }

  /** Returns the `occurrence`-th segment with this ID (from 1), or undefined. */
  segment(id: string, occurrence = 1): Hl7Segment | undefined {
    return this.segmentsWithId(id)[occurrence - 1];
  }

  /** Returns every segment with this ID, in message order. */
  segmentsWithId(id: string): readonly Hl7Segment[] {
    if (this.#byId === undefined) {
      const byId = new Map<string, Hl7Segment[]>();
      for (const segment of this.segments) {
        const list = byId.get(segment.id);
        if (list === undefined) byId.set(segment.id, [segment]);
        else list.push(segment);
      }
      this.#byId = byId;
    }
    return this.#byId.get(id) ?? [];
  }

  /** Returns the value at a path such as `PID-5.1`, `OBX[2]-5` or `PID-3[2].4`, or '' when absent. */
  get(path: string): string {
    const parsed = parsePath(path);
    const segment = this.segment(parsed.segmentId, parsed.occurrence);
    if (segment === undefined) return '';
    return segment.value(parsed.field, parsed.repetition ?? 1, parsed.component, parsed.subcomponent);
  }

  /**
   * Returns the value at a path in every repetition of its field, e.g. `PID-3.4` gives component 4
   * of each PID-3 repetition. A path that names a repetition gives that one alone.
   */
  getAll(path: string): string[] {
    const parsed = parsePath(path);
    const segment = this.segment(parsed.segmentId, parsed.occurrence);
    if (segment === undefined) return [];
    if (parsed.repetition !== undefined) {
      return parsed.repetition <= segment.repetitions(parsed.field).length ? [segment.value(parsed.field, parsed.repetition, parsed.component, parsed.subcomponent)] : [];
    }
    return segment.values(parsed.field, parsed.component, parsed.subcomponent);
  }

  /** Serializes the message as HL7 text, each segment ended by CR. Unchanged segments come out as received. */
  toString(): string {
    let text = '';
    for (const segment of this.segments) text += `${segment.raw}\r`;
    return text;
  }

  /** Encodes the message in its character set, ready for MLLP framing. */
  toBytes(): Buffer {
    return encodeText(this.toString(), this.encoding);
  }
}
