import { describe, expect, it } from 'vitest';

import {
  acknowledgmentRequest,
  buildAck,
  checkHeader,
  buildMessage,
  buildQueryResponse,
  buildSegment,
  encoded,
  parseMessage,
  readAcknowledgment,
  readQuery,
  readQueryResponse,
  repeated,
  wantsApplicationAck,
  wantsCommitAck,
} from '../../../../devices/hl7/index.js';

const NOW = new Date(2024, 0, 2, 3, 4, 5);

function message(version: string, extra = ''): string {
  return `MSH|^~\\&|ANALYZER^1.0|LAB|HIS|HOSP|20240101120000||ORU^R01|CTRL-7|P|${version}${extra}\rPID|1||ID7\r`;
}

describe('HL7 acknowledgments', () => {
  it('answers a v2.5.1 message with ERR-2, ERR-3, ERR-4 and ERR-8', () => {
    const ack = buildAck(parseMessage(message('2.5.1')), {
      code: 'AE',
      errors: [{ condition: 102, location: { segmentId: 'OBX', sequence: 2, field: 5 }, message: 'OBX-5 is not a number' }],
      sendingApplication: 'HMS',
      now: NOW,
      controlId: 'ACK-1',
    });

    expect(ack.toString()).toMatch(/^MSH\|\^~\\&\|HMS\|\|ANALYZER\^1\.0\|LAB\|20240102030405[+-]\d{4}\|\|ACK\^R01\^ACK\|ACK-1\|P\|2\.5\.1\r/);
    expect(ack.toString().split('\r').slice(1)).toEqual(['MSA|AE|CTRL-7', 'ERR||OBX^2^5|102^Data type error^HL70357|E||||OBX-5 is not a number', '']);
  });

  it('answers a v2.3 message with ERR-1 and the text in MSA-3', () => {
    const ack = buildAck(parseMessage(message('2.3')), {
      code: 'AR',
      errors: [{ condition: 200, location: { segmentId: 'MSH', sequence: 1, field: 9 }, message: 'ORU^R01 is not supported' }],
    });

    expect(ack.get('MSH-9')).toBe('ACK^R01');
    expect(ack.get('MSA-3')).toBe('ORU^R01 is not supported');
    expect(ack.get('ERR-1')).toBe('MSH^1^9^200&Unsupported message type&HL70357');
    expect(readAcknowledgment(ack)).toMatchObject({ code: 'AR', controlId: 'CTRL-7', errors: [{ segmentId: 'MSH', field: '9', condition: '200' }] });
  });

  it('reads back the errors of a v2.5 acknowledgment', () => {
    const ack = buildAck(parseMessage(message('2.5')), { code: 'AE', errors: [{ condition: 101, location: { segmentId: 'PID', sequence: 1, field: 3 }, severity: 'W', message: 'no MRN' }] });

    expect(readAcknowledgment(ack)).toMatchObject({ code: 'AE', errors: [{ segmentId: 'PID', sequence: '1', field: '3', condition: '101', conditionText: 'Required field missing', severity: 'W', message: 'no MRN' }] });
  });

  it('answers with AR and an empty MSA-2 when no MSH could be read', () => {
    const ack = buildAck(undefined, { code: 'AR', errors: [{ condition: 100 }] });

    expect(ack.get('MSA-1')).toBe('AR');
    expect(ack.get('MSA-2')).toBe('');
    expect(ack.get('MSH-9')).toBe('ACK');
    expect(ack.get('MSH-12')).toBe('2.5.1');
  });

  it('echoes MSH-18 and encodes in the message character set', () => {
    const inbound = parseMessage(Buffer.from(message('2.5', '||||||8859/1'), 'latin1'));
    const ack = buildAck(inbound, { code: 'AA', sendingFacility: 'Müller Lab' });

    expect(ack.get('MSH-18')).toBe('8859/1');
    expect(ack.toBytes().includes(Buffer.from([0x4d, 0xfc]))).toBe(true);
  });

  it('names empty required MSH fields and unprocessed message types', () => {
    const missing = parseMessage('MSH|^~\\&|A|B|||20240101||ORU^R01||P|2.5\r');
    const adt = parseMessage(message('2.5').replace('ORU^R01', 'ADT^A01'));
    const query = parseMessage(message('2.5').replace('ORU^R01', 'ORU^R30'));

    expect(checkHeader(missing)).toEqual([{ condition: 101, location: { segmentId: 'MSH', sequence: 1, field: 10 }, message: 'MSH-10 (message control ID) is empty' }]);
    expect(checkHeader(adt, { messageTypes: ['ORU^R01', 'OUL'] }).map((error) => error.condition)).toEqual([200]);
    expect(checkHeader(query, { messageTypes: ['ORU^R01', 'OUL'] }).map((error) => [error.condition, error.location?.component])).toEqual([[201, 2]]);
    expect(checkHeader(parseMessage(message('2.5')), { messageTypes: ['ORU^R01'] })).toEqual([]);
    expect(buildAck(missing, { code: 'AE', errors: checkHeader(missing) }).get('ERR-2')).toBe('MSH^1^10');
  });

  it('follows original and enhanced acknowledgment modes', () => {
    const original = acknowledgmentRequest(parseMessage(message('2.5')));
    const enhanced = acknowledgmentRequest(parseMessage(message('2.5', '|||NE|ER')));

    expect(original.mode).toBe('original');
    expect([wantsCommitAck(original, true), wantsApplicationAck(original, true), wantsApplicationAck(original, false)]).toEqual([false, true, true]);
    expect(enhanced).toEqual({ mode: 'enhanced', acceptAcknowledgment: 'NE', applicationAcknowledgment: 'ER' });
    expect([wantsCommitAck(enhanced, true), wantsApplicationAck(enhanced, true), wantsApplicationAck(enhanced, false)]).toEqual([false, false, true]);
  });
});

describe('HL7 queries', () => {
  const QBP =
    'MSH|^~\\&|ANALYZER|LAB|LIS|HOSP|20240101120000||QBP^Q11^QBP_Q11|Q-1|P|2.5.1\r' +
    'QPD|WOS^Work Order Step^IHE_LABTF|TAG-9|SPEC-0042\r' +
    'RCP|I|10^RD\r';

  it('reads a QBP query', () => {
    const query = readQuery(parseMessage(QBP));

    expect(query).toMatchObject({ queryName: { code: 'WOS', text: 'Work Order Step', system: 'IHE_LABTF' }, queryTag: 'TAG-9', parameters: ['SPEC-0042'], priority: 'I', quantityLimit: '10' });
    expect(query?.header.controlId).toBe('Q-1');
  });

  it('answers a query with RSP, QAK and the QPD echoed', () => {
    const response = buildQueryResponse(parseMessage(QBP), {
      status: 'OK',
      hitCount: 1,
      sendingApplication: 'HMS',
      segments: [{ id: 'SPM', fields: { 1: '1', 2: [['SPEC-0042']] } }],
    });

    expect(response.get('MSH-9')).toBe('RSP^K11^RSP_K11');
    expect(response.segments.map((segment) => segment.id)).toEqual(['MSH', 'MSA', 'QAK', 'QPD', 'SPM']);
    expect(response.segment('QPD')?.raw).toBe('QPD|WOS^Work Order Step^IHE_LABTF|TAG-9|SPEC-0042');
    expect(readQueryResponse(response)).toMatchObject({
      acknowledgment: { code: 'AA', controlId: 'Q-1' },
      queryTag: 'TAG-9',
      status: 'OK',
      queryName: { code: 'WOS' },
      hitCount: '1',
      segments: [expect.objectContaining({ id: 'SPM' })],
    });
  });
});

describe('HL7 message builder', () => {
  it('escapes leaves and writes encoded text as is', () => {
    const segment = buildSegment('OBX', { 1: '1', 2: 'ST', 3: ['GLU', 'Glucose', 'L'], 5: 'a|b', 6: encoded('mg^dL'), 8: repeated('H', 'A') });

    expect(segment).toBe('OBX|1|ST|GLU^Glucose^L||a\\F\\b|mg^dL||H~A');
  });

  it('writes subcomponents and leaves out trailing empty parts', () => {
    expect(buildSegment('SPM', { 2: [['SP-1', 'LAB'], ''], 4: ['BLD', '', ''], 9: '' })).toBe('SPM||SP-1&LAB||BLD');
  });

  it('writes MSH-1 and MSH-2 from the delimiters', () => {
    const built = buildMessage([{ id: 'MSH', fields: { 1: 'ignored', 3: 'HMS', 9: ['ORM', 'O01'], 10: 'C1', 12: '2.5' } }, { id: 'PID', fields: { 5: ['DOE', 'JANE'] } }]);

    expect(built.toString()).toBe('MSH|^~\\&|HMS||||||ORM^O01|C1||2.5\rPID|||||DOE^JANE\r');
    expect(built.get('PID-5.2')).toBe('JANE');
  });

  it('rejects a segment ID that is not three capitals or digits', () => {
    expect(() => buildSegment('pid', {})).toThrow(expect.objectContaining({ kind: 'unencodable-value' }));
  });

  it('rejects repetitions the delimiters cannot express', () => {
    const delimiters = parseMessage('MSH|^|A\r').delimiters;

    expect(() => buildSegment('PID', { 3: repeated('A', 'B') }, delimiters)).toThrow(expect.objectContaining({ kind: 'unencodable-value' }));
  });
});
