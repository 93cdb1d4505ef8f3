import { Hl7Error, MllpDecoder, parseMessage } from '../hl7/index.js';
import type { CaptureMessage } from './capture-types.js';

export interface Hl7CaptureContent {
  readonly messages: CaptureMessage[];
  readonly notes: string[];
}

/** HL7 batch envelope segments, which wrap messages in a file but are not sent over MLLP. */
const ENVELOPE_SEGMENTS = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

/**
 * Reads the MLLP blocks of a capture; each payload is sent again byte for byte. Bytes between
 * blocks (a logger's line breaks, the host's replies) are skipped, and so are blocks cut off by
 * the next VT or the end of the file.
 */
export function readHl7MllpCapture(bytes: Buffer): Hl7CaptureContent {
  const decoder = new MllpDecoder();
  const messages: CaptureMessage[] = [];
  let cutOff = 0;
  let gaps = 0;

  for (const event of [...decoder.push(bytes), ...decoder.end()]) {
    if (event.type === 'message') {
      messages.push(toMessage(event.payload, event.offset, messages.length + 1));
    } else if (event.type === 'error') {
      cutOff += 1;
    } else if (event.warning.code === 'bytes-outside-block') {
      gaps += 1;
    }
  }

  const notes: string[] = [];
  if (cutOff > 0) notes.push(`${cutOff} MLLP block(s) in the capture are cut off or too large and were left out`);
  if (gaps > 0) notes.push(`bytes outside MLLP blocks were skipped in ${gaps} place(s)`);
  return { messages, notes };
}

/**
 * Reads HL7 messages written as text: a message starts at each line that begins with MSH, and
 * segments are sent ended by CR, as on the wire, whatever line ends the file uses.
 */
export function readHl7SegmentText(bytes: Buffer): Hl7CaptureContent {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.toString('latin1');
  const groups: { lines: string[]; offset: number }[] = [];
  let envelope = 0;
  let orphans = 0;

  for (const match of text.slice(bom).matchAll(/[^\r\n]+/g)) {
    const line = match[0];
    if (line.trim() === '') continue;

    const segmentId = line.slice(0, 3);
    if (segmentId === 'MSH') {
      groups.push({ lines: [line], offset: bom + match.index });
    } else if (ENVELOPE_SEGMENTS.has(segmentId)) {
      envelope += 1;
    } else if (groups.length > 0) {
      (groups.at(-1) as { lines: string[] }).lines.push(line);
    } else {
      orphans += 1;
    }
  }

  const notes: string[] = [];
  if (envelope > 0) notes.push(`${envelope} batch envelope segment(s) (FHS, BHS, BTS, FTS) were left out`);
  if (orphans > 0) notes.push(`${orphans} line(s) before the first MSH segment were left out`);

  const messages = groups.map((group, position) => toMessage(Buffer.from(group.lines.map((line) => `${line}\r`).join(''), 'latin1'), group.offset, position + 1));
  return { messages, notes };
}

function toMessage(payload: Buffer, offset: number, index: number): CaptureMessage {
  const units = payload.toString('latin1').split('\r').filter((segment) => segment.trim() !== '').length;
  const controlId = readControlId(payload);
  return controlId === undefined ? { index, payload, offset, units } : { index, payload, offset, units, controlId };
}

/** MSH-10, which the host's ACK repeats in MSA-2; undefined when the header cannot be read. */
function readControlId(payload: Buffer): string | undefined {
  try {
    const controlId = parseMessage(payload).controlId;
    return controlId === '' ? undefined : controlId;
  } catch (error) {
    if (error instanceof Hl7Error) return undefined;
    throw error;
  }
}
