import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { frameChecksum } from '../../../../devices/astm/index.js';
import { CaptureError, readCapture } from '../../../../devices/simulator/index.js';

function fixture(path: string): Buffer {
  return readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url));
}

/** Returns the records of a payload, without their CR. */
function records(payload: Buffer | undefined): string[] {
  return (payload?.toString('latin1') ?? '').split('\r').filter((record) => record !== '');
}

/** Writes one E1381 frame as an interface log does, with a correct checksum. */
function loggedFrame(number: number, text: string): string {
  const checksum = frameChecksum(Buffer.from(`${number}${text}\x03`, 'latin1'));
  return `[STX]${number}${text.replaceAll('\r', '[CR]')}[ETX]${checksum}[CR][LF]`;
}

describe('readCapture on ASTM', () => {
  it('frames: one record per frame', () => {
    const capture = readCapture(fixture('astm/senaite_pentra_xlr.txt'));

    expect(capture.protocol).toBe('astm');
    expect(capture.format).toBe('astm-frames');
    expect(capture.messages).toHaveLength(1);
    const lines = records(capture.messages[0]?.payload);
    expect(lines).toHaveLength(28);
    expect(lines[0]).toBe('H|\\^&|||ABX|||||||P|E1394-97|20220727121551');
    expect(lines.at(-1)).toBe('L|1|N');
    expect(capture.messages[0]?.payload.toString('latin1').endsWith('L|1|N\r')).toBe(true);
    expect(capture.notes).toEqual([]);
  });

  it('frames: CR before ETB, LF without CR', () => {
    const capture = readCapture(fixture('astm/senaite_cobas_c111.txt'));

    const lines = records(capture.messages[0]?.payload);
    expect(lines.map((record) => record[0])).toEqual(['H', 'P', 'O', 'R', 'C', 'M', 'L']);
    expect(lines[3]).toBe('R|1|^^^413|40.13|g/L||N||F||$SYS$||20230803131700');
  });

  it('frames: same number, different text, all kept', () => {
    // Frames 6 to 8 of the Yumizen H500 capture all carry frame number 1.
    const capture = readCapture(fixture('astm/senaite_yumizen_h500.txt'));

    expect(records(capture.messages[0]?.payload)).toHaveLength(31);
    expect(capture.notes).toEqual([]);
  });

  it('frames: retransmission after a bad checksum counts once', () => {
    const capture = readCapture(fixture('lab-cases/LAB-25.astm'));

    const lines = records(capture.messages[0]?.payload);
    expect(lines.filter((record) => record.startsWith('L|'))).toEqual(['L|1|N']);
    expect(lines).toHaveLength(7);
    expect(capture.notes).toEqual(['1 frame(s) in the capture are retransmissions of the frame before; each is sent once']);
  });

  it('frames: decoded log, one message per H record', () => {
    const capture = readCapture(fixture('astm/astmio_mindray_bs240_log.decoded'));

    expect(capture.messages).toHaveLength(157);
    expect(capture.messages.every((message) => message.payload.toString('latin1').startsWith('H|\\^&|||Mindry^^|'))).toBe(true);
    expect(capture.notes).toEqual(['27 frame(s) in the capture fail their checksum; their text is sent in frames with a correct checksum']);
    expect(capture.messages.map((message) => message.index)).toEqual(Array.from({ length: 157 }, (_, position) => position + 1));
  });

  it('records one per line, any line end', () => {
    const text = 'C|1|I|stray\r\nH|\\^&|||ANALYZER\r\nP|1\nO|1|SID1||^^^GLU\rR|1|^^^GLU|5.4|mmol/L\nL|1|N\nH|\\^&|||ANALYZER\nL|1|N\n';
    const capture = readCapture(Buffer.from(text, 'latin1'));

    expect(capture.format).toBe('astm-records');
    expect(capture.messages.map((message) => message.payload.toString('latin1'))).toEqual([
      'H|\\^&|||ANALYZER\rP|1\rO|1|SID1||^^^GLU\rR|1|^^^GLU|5.4|mmol/L\rL|1|N\r',
      'H|\\^&|||ANALYZER\rL|1|N\r',
    ]);
    expect(capture.messages.map((message) => message.offset)).toEqual([text.indexOf('H|'), text.lastIndexOf('H|')]);
    expect(capture.notes).toEqual(['1 record(s) before the first H record were left out, because a message starts with its H record']);
  });

  it('escaped log: replies dropped, tokens decoded', () => {
    const log = [' - [ACK]', '[ENQ]', ' - [ACK]', loggedFrame(1, 'H|\\^&|||BS-240\rR|1|GLU|5.4\rL|1|N\r'), ' - [ACK]', '[EOT]', ''].join('\r\n');
    const capture = readCapture(Buffer.from(log, 'latin1'));

    expect(capture.escapedLog).toBe(true);
    expect(capture.format).toBe('astm-frames');
    expect(capture.messages.map((message) => message.payload.toString('latin1'))).toEqual(['H|\\^&|||BS-240\rR|1|GLU|5.4\rL|1|N\r']);
    expect(capture.notes).toEqual(['3 reply line(s) of the other side were left out of the log']);
  });

  it('rejects output that is not ASTM', () => {
    expect(() => readCapture(fixture('astm/senaite_mini_vidas.txt'))).toThrow(CaptureError);
    expect(() => readCapture(fixture('astm/senaite_mini_vidas.txt'))).toThrow(/no H \(header\) record/);
  });

  it('rejects a record with a framing character', () => {
    expect(() => readCapture(Buffer.from('H|\\^&|||ANALYZER\nR|1|^^^GLU|5\x114\nL|1|N\n', 'latin1'))).toThrow(/Message 1 \(at byte 0 of the capture\) cannot be sent: .*0x11/);
  });
});

describe('readCapture on HL7', () => {
  it('segments: a message at each MSH', () => {
    const capture = readCapture(fixture('hl7/hapi_example_oml_o21.hl7'));

    expect(capture.protocol).toBe('hl7');
    expect(capture.format).toBe('hl7-segments');
    expect(capture.messages).toHaveLength(13);
    expect(capture.messages[0]?.controlId).toBe('msgOP123');
    expect(capture.messages.every((message) => message.payload.toString('latin1').startsWith('MSH|^~\\&|'))).toBe(true);
  });

  it('segments: LF line ends become CR', () => {
    const capture = readCapture(fixture('hl7/cdc_Oracle_004_Oracle_ORU_R01.hl7'));
    const payload = capture.messages[0]?.payload.toString('latin1') ?? '';

    expect(payload).not.toContain('\n');
    expect(payload.endsWith('\r')).toBe(true);
    expect(capture.messages[0]?.units).toBe(fixture('hl7/cdc_Oracle_004_Oracle_ORU_R01.hl7').toString('latin1').split('\n').filter((line) => line.trim() !== '').length);
  });

  it('segments: byte order mark dropped', () => {
    const capture = readCapture(fixture('hl7/msfc_OML-O21-01.hl7'));

    expect(capture.messages[0]?.payload.subarray(0, 4).toString('latin1')).toBe('MSH|');
    expect(capture.messages[0]?.controlId).toBe('MSG00019');
  });

  it('segments: batch envelope left out', () => {
    const text = 'FHS|^~\\&|LAB\rBHS|^~\\&|LAB\rMSH|^~\\&|LAB|HOSP|||20240101||ORU^R01|B1|P|2.5.1\rPID|1\rBTS|1\rFTS|1\r';
    const capture = readCapture(Buffer.from(text, 'latin1'));

    expect(capture.messages.map((message) => message.payload.toString('latin1'))).toEqual(['MSH|^~\\&|LAB|HOSP|||20240101||ORU^R01|B1|P|2.5.1\rPID|1\r']);
    expect(capture.notes).toEqual(['4 batch envelope segment(s) (FHS, BHS, BTS, FTS) were left out']);
  });

  it('MLLP: payloads byte for byte', () => {
    const bytes = fixture('lab-cases/LAB-06.hl7');
    const capture = readCapture(bytes);

    expect(capture.format).toBe('hl7-mllp');
    // The byte order mark inside the block is part of what the analyzer sent.
    expect(capture.messages[0]?.payload).toEqual(bytes.subarray(1, bytes.lastIndexOf(0x1c)));
    expect(capture.messages[0]?.controlId).toBe('MSG00006');
  });

  it('MLLP: escaped log and decoded log agree', () => {
    const escaped = readCapture(fixture('hl7/astmio_erba_elite580_log.txt'));
    const decoded = readCapture(fixture('hl7/astmio_erba_elite580_log.decoded'));

    expect(escaped.escapedLog).toBe(true);
    expect(escaped.messages).toHaveLength(95);
    expect(decoded.messages).toHaveLength(95);
    // Blocks the logger did not break across lines decode to the same bytes from both files.
    const unbroken = decoded.messages.filter((message) => !message.payload.includes(0x0a));
    expect(unbroken.length).toBeGreaterThan(80);
    for (const message of unbroken) expect(escaped.messages[message.index - 1]?.payload).toEqual(message.payload);
  });

  it('protocol override skips detection', () => {
    expect(() => readCapture(fixture('hl7/hapi_adt_a03.txt'), { protocol: 'astm' })).toThrow(/no H \(header\) record/);
  });

  it('rejects text of neither protocol', () => {
    expect(() => readCapture(Buffer.from('Na 131 mmol/L\nK 9.7 mmol/L\n'))).toThrow(/neither ASTM nor HL7/);
    expect(() => readCapture(Buffer.alloc(0))).toThrow(CaptureError);
  });
});
