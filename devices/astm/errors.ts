/**
 * Every failure of the ASTM layers is an AstmError with a `code` to switch on and, where the
 * failure sits in a byte stream or a message text, the `offset` of the byte or character that
 * caused it. Link offsets count bytes since the link was created or last reset. Parser offsets
 * count characters of the text given to the parser, which equal bytes for Latin-1 input.
 */
export abstract class AstmError extends Error {
  abstract readonly code: string;
  readonly offset: number | undefined;

  protected constructor(message: string, offset: number | undefined) {
    super(message);
    this.offset = offset;
  }
}

/** The reason the link layer rejected (NAKed) or could not read a frame. */
export type AstmFrameErrorCode =
  | 'checksum-mismatch'
  | 'invalid-frame-number'
  | 'frame-number-mismatch'
  | 'oversized-frame'
  | 'frame-too-long'
  | 'message-too-large'
  | 'incomplete-frame';

export class AstmFrameError extends AstmError {
  override readonly name = 'AstmFrameError';

  constructor(
    readonly code: AstmFrameErrorCode,
    message: string,
    offset: number,
    /** The frame number the frame carried, when it was a digit 0 to 7. */
    readonly frameNumber: number | null = null,
  ) {
    super(message, offset);
  }
}

/** Why a transfer failed: an inbound message was discarded, or an outbound one was not delivered. */
export type AstmLinkErrorCode =
  | 'interrupted-by-eot'
  | 'interrupted-by-enq'
  | 'receive-timeout'
  | 'too-many-rejected-frames'
  | 'establishment-failed'
  | 'reply-timeout'
  | 'link-reset'
  | 'link-closed';

export class AstmLinkError extends AstmError {
  override readonly name = 'AstmLinkError';

  constructor(
    readonly code: AstmLinkErrorCode,
    /** `receive` when the analyzer's message was discarded, `send` when ours was not delivered. */
    readonly direction: 'receive' | 'send',
    message: string,
    offset?: number,
    /** Frames of the failed transfer that were accepted and then discarded (receive only). */
    readonly discardedFrames = 0,
  ) {
    super(message, offset);
  }
}

export type AstmParseErrorCode =
  | 'empty-message'
  | 'missing-header'
  | 'invalid-delimiters'
  | 'invalid-record'
  | 'multiple-messages';

/** A message text that cannot be read as LIS2-A2 records. */
export class AstmParseError extends AstmError {
  override readonly name = 'AstmParseError';

  constructor(
    readonly code: AstmParseErrorCode,
    message: string,
    offset: number,
  ) {
    super(message, offset);
  }
}

export type AstmBuildErrorCode =
  | 'invalid-delimiters'
  | 'invalid-character'
  | 'invalid-field-position'
  | 'missing-header'
  | 'empty-message';

/** A record or message the caller asked to build or send that would not be valid on the wire. */
export class AstmBuildError extends AstmError {
  override readonly name = 'AstmBuildError';

  constructor(
    readonly code: AstmBuildErrorCode,
    message: string,
    offset?: number,
  ) {
    super(message, offset);
  }
}
