import { readFileSync } from 'node:fs';

import type { AstmFrame, AstmFrameError, AstmLinkError, AstmLinkOptions, AstmLinkWarning, ReceivedAstmMessage } from '../../../../../devices/astm/index.js';
import { AstmLink, readAstmFrames } from '../../../../../devices/astm/index.js';
import { ManualTimer } from './manual-timer.js';

export const ENQ = Buffer.of(0x05);
export const EOT = Buffer.of(0x04);
export const ACK = Buffer.of(0x06);
export const NAK = Buffer.of(0x15);

/** Reads a file under test/fixtures. */
export function readFixture(path: string): Buffer {
  return readFileSync(new URL(`../../../../fixtures/${path}`, import.meta.url));
}

/** Returns the frames of a capture, in order, whatever their checksum. */
export function captureFrames(bytes: Uint8Array): AstmFrame[] {
  return readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' ? [token.frame] : []));
}

/** Joins the text of a capture's frames, as a receiver that accepted all of them would store it. */
export function captureText(bytes: Uint8Array): Buffer {
  return Buffer.concat(captureFrames(bytes).map((frame) => frame.text));
}

/** Names a written chunk: the control character, or `frame` for anything longer. */
export function nameOf(bytes: Buffer): string {
  if (bytes.length > 1) return 'frame';
  return { 0x04: 'EOT', 0x05: 'ENQ', 0x06: 'ACK', 0x15: 'NAK' }[bytes[0] as number] ?? `0x${bytes.toString('hex')}`;
}

/** A link on a manual timer with everything it emits recorded. */
export class LinkHarness {
  readonly timer = new ManualTimer();
  readonly link: AstmLink;
  readonly written: Buffer[] = [];
  readonly messages: ReceivedAstmMessage[] = [];
  readonly rejections: AstmFrameError[] = [];
  readonly warnings: AstmLinkWarning[] = [];
  readonly failures: AstmLinkError[] = [];

  constructor(options: AstmLinkOptions = {}) {
    this.link = new AstmLink({ timer: this.timer, ...options });
    this.link.on('write', (bytes) => this.written.push(bytes));
    this.link.on('message', (message) => this.messages.push(message));
    this.link.on('frameRejected', (error) => this.rejections.push(error));
    this.link.on('warning', (warning) => this.warnings.push(warning));
    this.link.on('transferFailed', (error) => this.failures.push(error));
  }

  /** Names of everything written so far, in order. */
  get replies(): string[] {
    return this.written.map(nameOf);
  }

  /** Written chunks since the last call, by name. */
  takeReplies(): string[] {
    return this.written.splice(0).map(nameOf);
  }

  feed(...chunks: (Uint8Array | string)[]): void {
    for (const chunk of chunks) this.link.receive(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  }
}

export interface AnalyzerReplay {
  /** Frames the link ACKed, in the order sent. */
  readonly acked: number;
  readonly naks: number;
  /** True when the analyzer gave up on a frame after six NAKs. */
  readonly abandoned: boolean;
}

/**
 * Plays an analyzer that sends `frames` in one transfer the way E1381 requires: ENQ, then each
 * frame after the previous one's ACK, the same frame again after a NAK (six attempts at most),
 * then EOT. A frame that the link does not reply to at once (one without its LF) gets its reply
 * after the link's LF wait, which the manual timer runs.
 */
export function replayAsAnalyzer(harness: LinkHarness, frames: readonly Uint8Array[], lineFeedWaitMs = 250): AnalyzerReplay {
  const reply = (): string => {
    if (harness.written.length === 0) harness.timer.advance(lineFeedWaitMs);
    const names = harness.takeReplies();
    if (names.length !== 1) throw new Error(`expected one reply from the link, got [${names.join(', ')}]`);
    return names[0] as string;
  };

  harness.feed(ENQ);
  if (reply() !== 'ACK') throw new Error('the link did not ACK the ENQ');

  let acked = 0;
  let naks = 0;
  for (const frame of frames) {
    let accepted = false;
    for (let attempt = 1; attempt <= 6 && !accepted; attempt += 1) {
      harness.feed(frame);
      accepted = reply() === 'ACK';
      if (!accepted) naks += 1;
    }
    if (!accepted) {
      harness.feed(EOT);
      return { acked, naks, abandoned: true };
    }
    acked += 1;
  }

  harness.feed(EOT);
  return { acked, naks, abandoned: false };
}
