/**
 * ASTM for lab analyzers: the E1381 (CLSI LIS01-A2) link layer and the E1394 (CLSI LIS2-A2)
 * records. Wire a connection as:
 *
 *   transport.on('data', (chunk) => link.receive(chunk));
 *   link.on('write', (bytes) => void transport.write(bytes));
 *   link.on('message', (message) => store(parseAstmMessages(message.text), message.raw));
 *
 * and call `link.reset()` when the transport loses its connection.
 */
export { AstmLink } from './link.js';
export type { AstmLinkEvents, AstmLinkState, AstmLinkWarning, AstmLinkWarningCode } from './link.js';
export { E1381_TIMEOUTS, systemTimer } from './link-options.js';
export type { AstmLinkOptions, LinkRole, LinkTimer } from './link-options.js';
export type { ReceivedAstmMessage } from './inbound-transfer.js';

export { AstmFrameReader, readAstmFrames } from './frame-reader.js';
export type { AstmFrame, AstmToken, FrameEnd } from './frame-reader.js';
export { encodeFrame, encodeMessageFrames } from './frame-writer.js';
export { frameChecksum } from './checksum.js';

export { AstmMessage, parseAstmMessage, parseAstmMessages } from './parser.js';
export type { AstmParseOptions, AstmParseWarning, AstmParseWarningCode } from './parser.js';
export { AstmField, AstmRecord } from './record.js';
export { fieldNumberOf, LIS2_A2_FIELDS } from './record-fields.js';
export type { AstmFieldName, AstmRecordType } from './record-fields.js';
export { buildAstmMessage, buildAstmRecord } from './builder.js';
export type { AstmBuildOptions, AstmFieldValue, AstmRecordFields, AstmRecordInput } from './builder.js';
export { DEFAULT_DELIMITERS } from './delimiters.js';
export type { AstmDelimiters } from './delimiters.js';

export { AstmBuildError, AstmError, AstmFrameError, AstmLinkError, AstmParseError } from './errors.js';
export type { AstmBuildErrorCode, AstmFrameErrorCode, AstmLinkErrorCode, AstmParseErrorCode } from './errors.js';
