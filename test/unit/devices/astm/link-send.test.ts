import { describe, expect, it } from 'vitest';

import { AstmBuildError, AstmLinkError, encodeFrame, readAstmFrames } from '../../../../devices/astm/index.js';
import { ACK, ENQ, EOT, LinkHarness, NAK } from './support/link-harness.js';

const MESSAGE = 'H|\\^&\rP|1\rO|1|SID0001||^^^GLU|R\rL|1|N\r';

/** Records whether a send promise settled, and how, without awaiting it. */
function track(promise: Promise<void>): { settled: () => 'pending' | 'resolved' | AstmLinkError } {
  let outcome: 'pending' | 'resolved' | AstmLinkError = 'pending';
  promise.then(
    () => (outcome = 'resolved'),
    (error: AstmLinkError) => (outcome = error),
  );
  return { settled: () => outcome };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('link sending', () => {
  it('establishes, sends each frame after its ACK and ends with EOT', async () => {
    const harness = new LinkHarness();
    const text = MESSAGE + 'C|1|I|' + 'x'.repeat(2_200) + '|G\r';
    const sent = track(harness.link.send(text));

    expect(harness.takeReplies()).toEqual(['ENQ']);
    expect(harness.link.state).toBe('establishing');
    harness.feed(ACK);

    const frames: Buffer[] = [];
    while (harness.link.state === 'sending') {
      frames.push(...harness.written.splice(0));
      harness.feed(ACK);
    }
    expect(harness.takeReplies()).toEqual(['EOT']);
    await settle();

    expect(sent.settled()).toBe('resolved');
    expect(frames).toHaveLength(Math.ceil(text.length / 240));
    expect(frames.every((frame) => frame.length <= 247)).toBe(true);
    const tokens = readAstmFrames(Buffer.concat(frames));
    const frameNumbers = tokens.map((token) => (token.kind === 'frame' ? token.frame.frameNumber : -1));
    expect(frameNumbers).toEqual([1, 2, 3, 4, 5, 6, 7, 0, 1, 2]);
    const rebuilt = tokens.map((token) => (token.kind === 'frame' ? token.frame.text.toString('latin1') : '')).join('');
    expect(rebuilt).toBe(text);
  });

  it('sends the same frame again after a NAK', async () => {
    const harness = new LinkHarness();
    const sent = track(harness.link.send(MESSAGE));

    harness.feed(ACK);
    const first = harness.written.splice(0);
    harness.feed(NAK);
    const second = harness.written.splice(0);
    harness.feed(ACK);
    await settle();

    expect(second).toEqual([first[1]]);
    expect(harness.takeReplies()).toEqual(['EOT']);
    expect(sent.settled()).toBe('resolved');
  });

  it('gives up after six NAKs for the same frame and sends EOT', async () => {
    const harness = new LinkHarness();
    const sent = track(harness.link.send(MESSAGE));

    harness.feed(ACK);
    for (let nak = 0; nak < 6; nak += 1) harness.feed(NAK);
    await settle();

    expect(harness.takeReplies()).toEqual(['ENQ', 'frame', 'frame', 'frame', 'frame', 'frame', 'frame', 'EOT']);
    const outcome = sent.settled();
    expect(outcome).toBeInstanceOf(AstmLinkError);
    expect((outcome as AstmLinkError).code).toBe('too-many-rejected-frames');
    expect(harness.failures.map((error) => [error.code, error.direction])).toEqual([['too-many-rejected-frames', 'send']]);
    expect(harness.link.state).toBe('neutral');
  });

  it('counts any reply other than ACK or EOT as a NAK', () => {
    const harness = new LinkHarness();
    track(harness.link.send(MESSAGE));

    harness.feed(ACK);
    harness.feed('?');

    expect(harness.takeReplies()).toEqual(['ENQ', 'frame', 'frame']);
  });

  it('treats an EOT reply as a receiver interrupt that acknowledges the frame', async () => {
    const harness = new LinkHarness();
    const sent = track(harness.link.send(MESSAGE));

    harness.feed(ACK, EOT);
    await settle();

    expect(harness.takeReplies()).toEqual(['ENQ', 'frame', 'EOT']);
    expect(sent.settled()).toBe('resolved');
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['receiver-interrupt']);
  });

  it('aborts with EOT when a frame gets no reply within 15 s', async () => {
    const harness = new LinkHarness();
    const sent = track(harness.link.send(MESSAGE));

    harness.feed(ACK);
    harness.timer.advance(14_999);
    expect(harness.link.state).toBe('sending');
    harness.timer.advance(1);
    await settle();

    expect(harness.takeReplies()).toEqual(['ENQ', 'frame', 'EOT']);
    expect(sent.settled()).toBeInstanceOf(AstmLinkError);
    expect((sent.settled() as AstmLinkError).code).toBe('reply-timeout');
  });

  it('waits 10 s after a busy NAK and fails after six refused ENQs', async () => {
    const harness = new LinkHarness();
    const sent = track(harness.link.send(MESSAGE));

    harness.feed(NAK);
    expect(harness.takeReplies()).toEqual(['ENQ']);
    harness.timer.advance(9_999);
    expect(harness.takeReplies()).toEqual([]);
    harness.timer.advance(1);
    expect(harness.takeReplies()).toEqual(['ENQ']);

    for (let refusal = 2; refusal <= 6; refusal += 1) {
      harness.feed(NAK);
      harness.timer.advance(10_000);
    }
    await settle();

    expect(harness.takeReplies()).toEqual(['ENQ', 'ENQ', 'ENQ', 'ENQ']);
    expect(sent.settled()).toBeInstanceOf(AstmLinkError);
    expect((sent.settled() as AstmLinkError).code).toBe('establishment-failed');
    expect(harness.warnings.filter((warning) => warning.code === 'receiver-busy')).toHaveLength(6);
  });

  it('retries an unanswered ENQ after EOT', () => {
    const harness = new LinkHarness();
    track(harness.link.send(MESSAGE));

    harness.timer.advance(15_000);
    expect(harness.takeReplies()).toEqual(['ENQ', 'EOT']);
    harness.timer.advance(10_000);
    expect(harness.takeReplies()).toEqual(['ENQ']);
  });

  it('yields to the instrument in contention and answers its next ENQ', async () => {
    const harness = new LinkHarness({ role: 'host' });
    const sent = track(harness.link.send(MESSAGE));

    harness.feed(ENQ);
    expect(harness.takeReplies()).toEqual(['ENQ']);
    expect(harness.link.state).toBe('neutral');
    expect(harness.warnings.map((warning) => warning.code)).toEqual(['contention']);

    // The instrument sends its ENQ again after at least 1 s, and the host receives.
    harness.timer.advance(1_000);
    harness.feed(ENQ);
    expect(harness.takeReplies()).toEqual(['ACK']);
    expect(harness.link.state).toBe('receiving');
    await settle();
    expect(sent.settled()).toBe('pending');
  });

  it('sends after the instrument finished when the contention wait is over', () => {
    const harness = new LinkHarness({ role: 'host' });
    track(harness.link.send(MESSAGE));
    const frame = encodeFrame(1, Buffer.from('H|\\^&\rL|1|N\r', 'latin1'), true);

    harness.feed(ENQ);
    harness.timer.advance(1_000);
    harness.feed(ENQ, frame, EOT);
    expect(harness.messages).toHaveLength(1);
    expect(harness.takeReplies()).toEqual(['ENQ', 'ACK', 'ACK']);

    harness.timer.advance(18_999);
    expect(harness.takeReplies()).toEqual([]);
    harness.timer.advance(1);
    expect(harness.takeReplies()).toEqual(['ENQ']);
  });

  it('resends its ENQ 1 s after contention when it plays the instrument', () => {
    const harness = new LinkHarness({ role: 'instrument' });
    track(harness.link.send(MESSAGE));

    harness.feed(ENQ);
    expect(harness.takeReplies()).toEqual(['ENQ']);
    harness.timer.advance(999);
    expect(harness.takeReplies()).toEqual([]);
    harness.timer.advance(1);
    expect(harness.takeReplies()).toEqual(['ENQ']);
  });

  it('queues a message while receiving and sends it after the EOT', () => {
    const harness = new LinkHarness();

    harness.feed(ENQ);
    track(harness.link.send(MESSAGE));
    expect(harness.takeReplies()).toEqual(['ACK']);
    harness.feed(EOT);

    expect(harness.takeReplies()).toEqual(['ENQ']);
  });

  it('sends queued messages one transfer each, in order', async () => {
    const harness = new LinkHarness();
    const first = track(harness.link.send(MESSAGE));
    const second = track(harness.link.send(MESSAGE.replace('SID0001', 'SID0002')));

    expect(harness.link.pendingSends).toBe(2);
    harness.feed(ACK, ACK);
    expect(harness.takeReplies()).toEqual(['ENQ', 'frame', 'EOT', 'ENQ']);
    harness.feed(ACK);
    const [frame] = harness.written.splice(0);
    harness.feed(ACK);
    await settle();

    expect(frame?.toString('latin1')).toContain('SID0002');
    expect(first.settled()).toBe('resolved');
    expect(second.settled()).toBe('resolved');
    expect(harness.link.pendingSends).toBe(0);
  });

  it('rejects a message with framing characters or outside Latin-1 at once', () => {
    const harness = new LinkHarness();

    expect(() => harness.link.send('H|\\^&\x03\r')).toThrowError(AstmBuildError);
    expect(() => harness.link.send('H|\\^&|||Ω\r')).toThrowError(expect.objectContaining({ code: 'invalid-character', offset: 8 }));
    expect(() => harness.link.send('')).toThrowError(expect.objectContaining({ code: 'empty-message' }));
    expect(harness.replies).toEqual([]);
  });

  it('fails every queued message on close', async () => {
    const harness = new LinkHarness();
    const first = track(harness.link.send(MESSAGE));
    const second = track(harness.link.send(MESSAGE));

    harness.link.close();
    await settle();

    expect((first.settled() as AstmLinkError).code).toBe('link-closed');
    expect((second.settled() as AstmLinkError).code).toBe('link-closed');
    await expect(harness.link.send(MESSAGE)).rejects.toMatchObject({ code: 'link-closed' });
  });

  it('fails the message in flight on reset and accepts new ones after', async () => {
    const harness = new LinkHarness();
    const first = track(harness.link.send(MESSAGE));

    harness.feed(ACK);
    harness.link.reset();
    await settle();
    expect((first.settled() as AstmLinkError).code).toBe('link-reset');

    harness.written.splice(0);
    track(harness.link.send(MESSAGE));
    expect(harness.takeReplies()).toEqual(['ENQ']);
  });
});
