/** Transmission control characters of ASTM E1381 (CLSI LIS01-A2). */
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ENQ = 0x05;
export const ACK = 0x06;
export const LF = 0x0a;
export const CR = 0x0d;
export const NAK = 0x15;
export const ETB = 0x17;

/** The one-byte replies and link commands a reader reports by name. */
export type ControlCharacter = 'ENQ' | 'EOT' | 'ACK' | 'NAK';

export const CONTROL_CHARACTER_NAMES: ReadonlyMap<number, ControlCharacter> = new Map([
  [ENQ, 'ENQ'],
  [EOT, 'EOT'],
  [ACK, 'ACK'],
  [NAK, 'NAK'],
]);

/**
 * Bytes that LIS01-A2 forbids in message text, because a receiver would read them as framing or
 * flow control: SOH, STX, ETX, EOT, ENQ, ACK, DLE, NAK, SYN, ETB, LF and DC1 to DC4. CR is allowed
 * because it ends each record.
 */
export const RESTRICTED_TEXT_BYTES: ReadonlySet<number> = new Set([
  0x01, STX, ETX, EOT, ENQ, ACK, 0x10, NAK, 0x16, ETB, LF, 0x11, 0x12, 0x13, 0x14,
]);

/** Frame limits of LIS01-A2: a frame is at most 247 bytes, STX through LF, so 240 bytes of text. */
export const MAX_FRAME_LENGTH = 247;
export const MAX_FRAME_TEXT_LENGTH = 240;
