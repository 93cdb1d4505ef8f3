import { AstmBuildError, encodeMessageFrames, readAstmFrames } from '../astm/index.js';
import type { AstmFrame } from '../astm/index.js';
import type { CaptureMessage } from './capture-types.js';
import { CaptureError } from './capture-types.js';

interface RecordText {
  readonly text: string;
  readonly offset: number;
}

export interface AstmCaptureContent {
  readonly messages: CaptureMessage[];
  readonly notes: string[];
}

/**
 * Reads the records out of E1381 frames. The text of every complete frame counts, whatever its
 * checksum, because a logger that dropped a character breaks the checksum but not the records;
 * the frames are made anew when the message is sent. A frame followed by one with the same frame
 * number is a retransmission when it failed its checksum or carries the same text, and only the
 * later one counts. A record ends at CR, LF, the end of a final (ETX) frame, or the ENQ or EOT of
 * the next transfer.
 */
export function readAstmFrameCapture(bytes: Buffer): AstmCaptureContent {
  const notes: string[] = [];
  const { items, badChecksums, brokenFrames, retransmissions } = readFrameItems(bytes);
  const records: RecordText[] = [];
  let pending = '';
  let pendingOffset = 0;
  let cutRecords = 0;

  const endRecord = (): void => {
    if (pending !== '') records.push({ text: pending, offset: pendingOffset });
    pending = '';
  };

  for (const item of items) {
    if (item === 'transfer-boundary') {
      if (pending !== '') cutRecords += 1;
      endRecord();
      continue;
    }
    for (const piece of item.text.toString('latin1').split(/(\r\n|\r|\n)/)) {
      if (piece === '\r\n' || piece === '\r' || piece === '\n') {
        endRecord();
      } else if (piece !== '') {
        if (pending === '') pendingOffset = item.offset;
        pending += piece;
      }
    }
    if (item.final) endRecord();
  }
  endRecord();

  if (badChecksums > 0) notes.push(`${badChecksums} frame(s) in the capture fail their checksum; their text is sent in frames with a correct checksum`);
  if (retransmissions > 0) notes.push(`${retransmissions} frame(s) in the capture are retransmissions of the frame before; each is sent once`);
  if (brokenFrames > 0) notes.push(`${brokenFrames} frame(s) in the capture are cut off or unreadable and were left out`);
  if (cutRecords > 0) notes.push(`${cutRecords} record(s) end where their transfer ended, without CR; they are sent as they are`);
  return { messages: groupIntoMessages(records, notes), notes };
}

interface FrameItems {
  readonly items: (AstmFrame | 'transfer-boundary')[];
  readonly badChecksums: number;
  readonly brokenFrames: number;
  readonly retransmissions: number;
}

function readFrameItems(bytes: Buffer): FrameItems {
  const items: (AstmFrame | 'transfer-boundary')[] = [];
  let badChecksums = 0;
  let brokenFrames = 0;
  let retransmissions = 0;

  for (const token of readAstmFrames(bytes)) {
    if (token.kind === 'broken-frame') {
      brokenFrames += 1;
    } else if (token.kind === 'control' && (token.control === 'ENQ' || token.control === 'EOT')) {
      items.push('transfer-boundary');
    } else if (token.kind === 'frame') {
      const frame = token.frame;
      const previous = items.at(-1);
      if (previous !== undefined && previous !== 'transfer-boundary' && isRetransmission(previous, frame)) {
        items.pop();
        retransmissions += 1;
        if (!previous.checksumValid) badChecksums -= 1;
      }
      if (!frame.checksumValid) badChecksums += 1;
      items.push(frame);
    }
  }
  return { items, badChecksums, brokenFrames, retransmissions };
}

/**
 * Whether `frame` repeats `previous`: the same frame number, and either the earlier one failed its
 * checksum (the receiver NAKed it) or both carry the same text (the receiver's ACK was lost). Some
 * analyzers number several different frames alike (a Horiba Yumizen H500 sends three frames 1 in a
 * row), so the same number alone does not make a retransmission.
 */
function isRetransmission(previous: AstmFrame, frame: AstmFrame): boolean {
  if (previous.frameNumber === null || previous.frameNumber !== frame.frameNumber) return false;
  return !previous.checksumValid || previous.text.equals(frame.text);
}

/** Reads LIS2-A2 records written one per line (CR, LF or CR LF), as interface manuals print them. */
export function readAstmRecordText(bytes: Buffer): AstmCaptureContent {
  const notes: string[] = [];
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.toString('latin1');
  const records: RecordText[] = [];

  for (const match of text.slice(bom).matchAll(/[^\r\n]+/g)) {
    if (match[0].trim() === '') continue;
    records.push({ text: match[0], offset: bom + match.index });
  }
  return { messages: groupIntoMessages(records, notes), notes };
}

/** Starts a message at each H record; records before the first H record are left out with a note. */
function groupIntoMessages(records: readonly RecordText[], notes: string[]): CaptureMessage[] {
  const groups: RecordText[][] = [];
  let orphans = 0;

  for (const record of records) {
    const current = groups.at(-1);
    if (isHeaderRecord(record.text)) groups.push([record]);
    else if (current) current.push(record);
    else orphans += 1;
  }

  if (groups.length === 0) {
    throw new CaptureError(`The capture holds ${records.length} record(s) but no H (header) record: an ASTM message starts with one, such as H|\\^&`);
  }
  if (orphans > 0) notes.push(`${orphans} record(s) before the first H record were left out, because a message starts with its H record`);

  return groups.map((group, position) => toMessage(group, position + 1));
}

function toMessage(records: readonly RecordText[], index: number): CaptureMessage {
  const first = records[0] as RecordText;
  const payload = Buffer.from(records.map((record) => `${record.text}\r`).join(''), 'latin1');

  try {
    encodeMessageFrames(payload);
  } catch (error) {
    if (!(error instanceof AstmBuildError)) throw error;
    throw new CaptureError(`Message ${index} (at byte ${first.offset} of the capture) cannot be sent: ${error.message}`);
  }
  return { index, payload, offset: first.offset, units: records.length };
}

/** An H record: the letter H followed by the field delimiter, which is never a letter or digit. */
function isHeaderRecord(text: string): boolean {
  return text.length >= 2 && text[0] === 'H' && !/[A-Za-z0-9\s]/.test(text[1] as string);
}
