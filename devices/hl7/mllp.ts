import { Hl7Error } from './errors.js';
import type { Hl7Warning } from './errors.js';
import type { Hl7Message } from './message.js';
import { parseMessage } from './parser.js';

/** MLLP (HL7 v2 Minimal Lower Layer Protocol, release 1) block characters. */
export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_FINAL = 0x0d;

/**
 * Default size limit of one block's payload. ORU messages that embed histograms or PDF reports as
 * base64 (ED data) reach several megabytes; the limit bounds the memory one connection can hold.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** How many leading bytes of an oversize or cut-off block are kept, enough to hold its MSH. */
const HEAD_BYTES = 1024;

export type MllpEvent =
  /** A complete block: its payload without VT, FS and CR, and the stream offset of the payload. */
  | { type: 'message'; payload: Buffer; offset: number }
  | { type: 'warning'; warning: Hl7Warning }
  /**
   * A block that was dropped (too large, or cut off). `head` contains its first bytes, and
   * `error.header` its MSH when those bytes contain a readable one, so `ackForError` can reply AR
   * naming MSH-10.
   */
  | { type: 'error'; error: Hl7Error; head: Buffer };

export interface MllpDecoderOptions {
  /** Largest payload accepted; larger blocks are dropped with an error event. */
  maxMessageBytes?: number;
}

/**
 * Splits a byte stream into MLLP blocks (VT payload FS CR). Feed it reads as they arrive, split
 * anywhere: several blocks in one read and one block over many reads both work. A block is
 * delivered only when its FS CR has arrived. Bytes outside a block (NULs, a stray CR, a BOM before
 * VT) are skipped and reported as one warning per gap. An FS followed by something other than CR
 * still ends the block, with a warning, so a sender that omits the CR is served when its next byte
 * arrives. A VT inside a block starts a new block and reports the cut-off one.
 */
export class MllpDecoder {
  readonly #maxMessageBytes: number;
  #state: 'outside' | 'inside' | 'after-end' | 'oversize' = 'outside';
  #chunks: Buffer[] = [];
  #length = 0;
  #blockOffset = 0;
  #streamOffset = 0;
  #skipped = 0;
  #skippedOffset = 0;
  #swallowFinal = false;

  constructor(options: MllpDecoderOptions = {}) {
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Consumes one read and returns what it completed, in stream order. */
  push(chunk: Uint8Array): MllpEvent[] {
    const events: MllpEvent[] = [];
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let position = 0;
    while (position < bytes.length) {
      position = this.#step(bytes, position, events);
    }
    this.#streamOffset += bytes.length;
    return events;
  }

  /** Ends the stream: reports a block left open and bytes skipped since the last block. */
  end(): MllpEvent[] {
    const events: MllpEvent[] = [];
    if (this.#state === 'inside' || this.#state === 'after-end') {
      events.push(this.#cutOff('The stream ended inside an MLLP block; the partial message was dropped'));
    }
    this.#flushSkipped(events);
    this.#state = 'outside';
    return events;
  }

  #step(bytes: Buffer, position: number, events: MllpEvent[]): number {
    switch (this.#state) {
      case 'outside':
        return this.#skipToStart(bytes, position, events);
      case 'inside':
        return this.#collect(bytes, position, events);
      case 'after-end':
        return this.#finish(bytes, position, events);
      case 'oversize':
        return this.#discard(bytes, position);
    }
  }

  #skipToStart(bytes: Buffer, position: number, events: MllpEvent[]): number {
    if (this.#swallowFinal) {
      this.#swallowFinal = false;
      if (bytes[position] === MLLP_FINAL) return position + 1;
    }
    const start = bytes.indexOf(MLLP_START, position);
    const skippedEnd = start < 0 ? bytes.length : start;
    if (skippedEnd > position) {
      if (this.#skipped === 0) this.#skippedOffset = this.#streamOffset + position;
      this.#skipped += skippedEnd - position;
    }
    if (start < 0) return bytes.length;
    this.#flushSkipped(events);
    this.#openBlock(this.#streamOffset + start + 1);
    return start + 1;
  }

  #collect(bytes: Buffer, position: number, events: MllpEvent[]): number {
    const end = bytes.indexOf(MLLP_END, position);
    const restart = bytes.indexOf(MLLP_START, position);
    if (restart >= 0 && (end < 0 || restart < end)) {
      this.#append(bytes.subarray(position, restart), events);
      if (this.#state === 'inside') events.push(this.#cutOff(`A new MLLP block started at byte ${this.#streamOffset + restart} before the block at byte ${this.#blockOffset} ended; the partial message was dropped`));
      this.#openBlock(this.#streamOffset + restart + 1);
      return restart + 1;
    }
    const stop = end < 0 ? bytes.length : end;
    this.#append(bytes.subarray(position, stop), events);
    if (end < 0) return bytes.length;
    if (this.#state === 'oversize') return this.#closeDropped(end);
    this.#state = 'after-end';
    return end + 1;
  }

  #finish(bytes: Buffer, position: number, events: MllpEvent[]): number {
    if (bytes[position] === MLLP_FINAL) {
      events.push(this.#deliver());
      return position + 1;
    }
    events.push({
      type: 'warning',
      warning: { code: 'missing-final-cr', message: `The MLLP end byte (FS) before byte ${this.#streamOffset + position} was not followed by CR; the block was accepted`, offset: this.#streamOffset + position },
    });
    events.push(this.#deliver());
    return position;
  }

  #discard(bytes: Buffer, position: number): number {
    const end = bytes.indexOf(MLLP_END, position);
    const restart = bytes.indexOf(MLLP_START, position);
    if (restart >= 0 && (end < 0 || restart < end)) {
      this.#openBlock(this.#streamOffset + restart + 1);
      return restart + 1;
    }
    if (end < 0) return bytes.length;
    return this.#closeDropped(end);
  }

  /** Ends a dropped block at its FS; the CR after it is not reported as a byte outside a block. */
  #closeDropped(end: number): number {
    this.#state = 'outside';
    this.#swallowFinal = true;
    return end + 1;
  }

  #append(part: Buffer, events: MllpEvent[]): void {
    if (part.length === 0 || this.#state !== 'inside') return;
    if (this.#length + part.length > this.#maxMessageBytes) {
      const head = headOf([...this.#chunks, part]);
      events.push({
        type: 'error',
        error: new Hl7Error('message-too-large', `The MLLP block at byte ${this.#blockOffset} is larger than the limit of ${this.#maxMessageBytes} bytes; it was dropped`, {
          offset: this.#blockOffset,
          header: headerIn(head),
        }),
        head,
      });
      this.#chunks = [];
      this.#length = 0;
      this.#state = 'oversize';
      return;
    }
    // Copy, because the caller may reuse the read buffer.
    this.#chunks.push(Buffer.from(part));
    this.#length += part.length;
  }

  #openBlock(offset: number): void {
    this.#state = 'inside';
    this.#chunks = [];
    this.#length = 0;
    this.#blockOffset = offset;
  }

  #deliver(): MllpEvent {
    const payload = Buffer.concat(this.#chunks, this.#length);
    const event: MllpEvent = { type: 'message', payload, offset: this.#blockOffset };
    this.#chunks = [];
    this.#length = 0;
    this.#state = 'outside';
    return event;
  }

  #cutOff(message: string): MllpEvent {
    const head = headOf(this.#chunks);
    this.#chunks = [];
    this.#length = 0;
    return { type: 'error', error: new Hl7Error('incomplete-block', message, { offset: this.#blockOffset, header: headerIn(head) }), head };
  }

  #flushSkipped(events: MllpEvent[]): void {
    if (this.#skipped === 0) return;
    events.push({
      type: 'warning',
      warning: { code: 'bytes-outside-block', message: `${this.#skipped} bytes outside an MLLP block were skipped`, offset: this.#skippedOffset },
    });
    this.#skipped = 0;
  }
}

/** Reads the MSH at the start of a dropped block's first bytes, if it is complete and valid. */
function headerIn(head: Buffer): Hl7Message | undefined {
  const end = head.indexOf(MLLP_FINAL);
  if (end < 0) return undefined;
  try {
    return parseMessage(head.subarray(0, end));
  } catch {
    // An unreadable MSH: the reply cannot name MSH-10.
    return undefined;
  }
}

/** Copies the first HEAD_BYTES bytes of a block kept in chunks. */
function headOf(chunks: readonly Buffer[]): Buffer {
  const kept: Buffer[] = [];
  let length = 0;
  for (const chunk of chunks) {
    if (length >= HEAD_BYTES) break;
    const part = chunk.subarray(0, HEAD_BYTES - length);
    kept.push(part);
    length += part.length;
  }
  return Buffer.concat(kept, length);
}

/** Wraps one encoded message in an MLLP block: VT, the bytes, FS, CR. */
export function frameMllp(payload: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(payload.length + 3);
  framed[0] = MLLP_START;
  framed.set(payload, 1);
  framed[payload.length + 1] = MLLP_END;
  framed[payload.length + 2] = MLLP_FINAL;
  return framed;
}

/** Reads MLLP events from any byte stream (a socket, a serial port, a file stream) until it ends. */
export async function* readMllpStream(stream: AsyncIterable<Uint8Array | string>, options: MllpDecoderOptions = {}): AsyncGenerator<MllpEvent> {
  const decoder = new MllpDecoder(options);
  for await (const chunk of stream) {
    yield* decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  }
  yield* decoder.end();
}
