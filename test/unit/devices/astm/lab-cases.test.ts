import { describe, expect, it } from 'vitest';

import type { AstmMessage } from '../../../../devices/astm/index.js';
import { AstmLinkError, buildAstmMessage, parseAstmMessage, readAstmFrames } from '../../../../devices/astm/index.js';
import { expectValues, recordTypes } from './support/expectations.js';
import { ACK, captureFrames, LinkHarness, NAK, readFixture } from './support/link-harness.js';

/**
 * The ASTM lab cases (test/fixtures/lab-cases/SOURCES.md): each file is what the analyzer sends,
 * and `responses` is what the LIS must write back, one entry per ENQ or frame (nothing for EOT).
 */
function receive(file: string, options: ConstructorParameters<typeof LinkHarness>[0] = {}): { harness: LinkHarness; message: AstmMessage } {
  const harness = new LinkHarness(options);
  harness.feed(readFixture(`lab-cases/${file}`));
  expect(harness.messages, `${file}: messages delivered`).toHaveLength(1);
  return { harness, message: parseAstmMessage(harness.messages[0]?.text as Buffer) };
}

describe('ASTM lab cases', () => {
  it('LAB-24: accepts checksums sent in lowercase hex', () => {
    const { harness, message } = receive('LAB-24.astm');

    expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK', 'ACK', 'ACK']);
    expect(harness.rejections).toEqual([]);
    expect(recordTypes(message)).toBe('HPORL');
    expectValues(message, { 'O.3': 'SID0024', 'R.4': '5.4', 'R.5': 'mmol/L' });
  });

  it('LAB-25: NAKs bad frame 7, ACKs its resend', () => {
    const { harness, message } = receive('LAB-25.astm');

    expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK', 'ACK', 'ACK', 'ACK', 'NAK', 'ACK']);
    expect(harness.rejections.map((error) => [error.code, error.frameNumber])).toEqual([['checksum-mismatch', 7]]);
    expect(harness.rejections[0]?.message).toContain('sums to 0A');
    expect(harness.failures).toEqual([]);
    expect(recordTypes(message)).toBe('HPORRCL');
    expectValues(message, {
      'C.4': 'Sample slightly lipemic',
      'L.3': 'N',
      'O.5': [
        ['', '', '', 'NA'],
        ['', '', '', 'K'],
      ],
      'R[1].4': '140',
      'R[2].4': '4.1',
    });
  });

  it('LAB-25: sender stops after six NAKs', async () => {
    const harness = new LinkHarness();
    const text = captureFrames(readFixture('lab-cases/LAB-25.astm'))
      .slice(0, 7)
      .map((frame) => frame.text.toString('latin1'))
      .join('');
    const delivery = harness.link.send(text).catch((error: unknown) => error);

    harness.feed(ACK);
    for (let nak = 0; nak < 6; nak += 1) harness.feed(NAK);

    expect(harness.replies).toEqual(['ENQ', 'frame', 'frame', 'frame', 'frame', 'frame', 'frame', 'EOT']);
    const outcome = await delivery;
    expect(outcome).toBeInstanceOf(AstmLinkError);
    expect((outcome as AstmLinkError).code).toBe('too-many-rejected-frames');
  });

  it('LAB-27: accepts ETB records and wrapping numbers', () => {
    const { harness, message } = receive('LAB-27.astm');
    const frameNumbers = captureFrames(readFixture('lab-cases/LAB-27.astm')).map((frame) => frame.frameNumber);

    expect(frameNumbers).toEqual([1, 2, 3, 4, 5, 6, 7, 0, 1]);
    expect(harness.replies).toEqual(Array(10).fill('ACK'));
    expect(recordTypes(message)).toBe('HPORRRRCL');
    expect(message.recordsOfType('O')[0]?.field(5).repeats).toHaveLength(4);
    expectValues(message, { 'R[3].4': '70', 'R[3].7': 'H' });
  });

  it('LAB-28: accepts a whole message in one oversized frame, with a warning', () => {
    const { harness, message } = receive('LAB-28.astm');
    const [frame] = captureFrames(readFixture('lab-cases/LAB-28.astm'));

    expect(frame?.text.length).toBe(488);
    expect(harness.replies).toEqual(['ACK', 'ACK']);
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['oversized-frame']);
    expect(recordTypes(message)).toBe('HPORRRRRCL');
    expect(message.recordsOfType('O')[0]?.field(5).repeats).toHaveLength(5);
    expectValues(message, { 'R[3].4': '14.1', 'R[4].5': '%' });
  });

  it('LAB-28: NAKs the oversized frame when the analyzer profile is strict', () => {
    const harness = new LinkHarness({ acceptOversizedFrames: false });
    harness.feed(readFixture('lab-cases/LAB-28.astm'));

    expect(harness.replies).toEqual(['ACK', 'NAK']);
    expect(harness.rejections.map((error) => error.code)).toEqual(['oversized-frame']);
    expect(harness.messages).toEqual([]);
  });

  it('LAB-30: answers frames split across reads only once they are complete', () => {
    const bytes = readFixture('lab-cases/LAB-30.astm');
    const chunks: [number, number][] = [
      [0, 1],
      [1, 63],
      [63, 65],
      [65, 73],
      [73, 89],
      [89, 91],
      [91, 92],
      [92, 182],
    ];
    const harness = new LinkHarness();

    const repliesPerChunk = chunks.map(([start, end]) => {
      harness.feed(bytes.subarray(start, end));
      return harness.takeReplies();
    });

    expect(bytes.length).toBe(182);
    expect(repliesPerChunk).toEqual([['ACK'], ['ACK'], [], [], [], [], ['ACK'], ['ACK', 'ACK', 'ACK']]);
    expect(harness.messages).toHaveLength(1);
    expect(recordTypes(parseAstmMessage(harness.messages[0]?.text as Buffer))).toBe('HPORL');
  });

  it('LAB-31: reads delimiters and escapes from H', () => {
    const { harness, message } = receive('LAB-31.astm');

    expect(harness.replies).toEqual(Array(8).fill('ACK'));
    expect(message.delimiters).toEqual({ field: '|', repeat: '@', component: '^', escape: '\\' });
    expect(message.warnings).toEqual([]);
    expectValues(message, {
      'H.2': '@^\\',
      'R[1].11': 'OPER @ONE',
      'R[1].3.5': 'PCR Panel',
      'R[1].3.7': 'TGT',
      'R[2].7': 'A@B',
      'R[3].15': 'EXTRA',
      'R[3].4.1': '',
      'R[3].4.2': '24.7',
    });
    expect(message.recordsOfType('R')[1]?.field(7).repeats).toHaveLength(1);
    expect(message.recordsOfType('R')[2]?.fieldCount).toBe(15);
  });

  describe('LAB-33: host query', () => {
    const QUERY_REPLY_NO_ORDERS = 'O|1|SID0033|40^0^5^^SAMPLE^NORMAL||R||||||N||||||||||||||Z';
    const QUERY_REPLY_WITH_ORDERS = 'O|1|SID0033|40^0^5^^SAMPLE^NORMAL|^^^10^\\^^^30^|R||||||N||||||||||||||Q';

    it('ACKs the query session and reads the Q record', () => {
      const { harness, message } = receive('LAB-33.astm');

      expect(harness.replies).toEqual(['ACK', 'ACK', 'ACK', 'ACK']);
      expect(recordTypes(message)).toBe('HQL');
      expectValues(message, {
        'Q.3': ['', 'SID0033', '40', '0', '5', '', 'SAMPLE', 'NORMAL'],
        'Q.5': 'ALL',
        'Q.13': 'O',
        'L.3': 'I',
      });
    });

    it('builds replies that echo the instrument fields byte for byte', () => {
      const { message } = receive('LAB-33.astm');
      const query = message.recordsOfType('Q')[0];
      const specimenId = query?.field('startingRangeIdNumber').component(2) as string;
      const instrumentFields = query?.field('startingRangeIdNumber').components.slice(2) as string[];

      const order = (tests: string[][], reportType: string): string =>
        buildAstmMessage([
          { type: 'H' },
          { type: 'O', fields: { sequenceNumber: '1', specimenId, instrumentSpecimenId: instrumentFields, universalTestId: tests, priority: 'R', actionCode: 'N', reportTypes: reportType } },
        ]).split('\r')[1] as string;

      expect(order([['']], 'Z')).toBe(QUERY_REPLY_NO_ORDERS);
      expect(
        order(
          [
            ['', '', '', '10', ''],
            ['', '', '', '30', ''],
          ],
          'Q',
        ),
      ).toBe(QUERY_REPLY_WITH_ORDERS);
    });

    it('opens the reply session as soon as the query session ends', async () => {
      const harness = new LinkHarness();
      const reply = buildAstmMessage([
        { type: 'H' },
        { type: 'P', fields: { sequenceNumber: '1' } },
        { type: 'O', fields: { sequenceNumber: '1', specimenId: 'SID0033', instrumentSpecimenId: ['40', '0', '5', '', 'SAMPLE', 'NORMAL'], priority: 'R', actionCode: 'N', reportTypes: 'Z' } },
        { type: 'L', fields: { sequenceNumber: '1', terminationCode: 'N' } },
      ]);
      let delivery: Promise<void> | undefined;
      harness.link.on('message', () => {
        delivery = harness.link.send(reply);
      });

      harness.feed(readFixture('lab-cases/LAB-33.astm'));
      expect(harness.takeReplies()).toEqual(['ACK', 'ACK', 'ACK', 'ACK', 'ENQ']);
      expect(harness.timer.now).toBe(0);

      harness.feed(ACK);
      const [frame] = harness.written.splice(0);
      harness.feed(ACK);
      await delivery;

      expect(harness.takeReplies()).toEqual(['EOT']);
      const [token] = readAstmFrames(frame as Buffer);
      expect(token?.kind).toBe('frame');
      expect(token?.kind === 'frame' ? token.frame.text.toString('latin1') : undefined).toBe(reply);
      expect(reply.split('\r')[2]).toBe(QUERY_REPLY_NO_ORDERS);
    });
  });
});
