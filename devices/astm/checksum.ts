/**
 * Computes the E1381 frame checksum of `bytes`, which must run from the frame number through the
 * ETB or ETX: their sum modulo 256, as two uppercase hexadecimal characters.
 */
export function frameChecksum(bytes: Uint8Array): string {
  let sum = 0;
  for (const byte of bytes) sum = (sum + byte) & 0xff;
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Tells whether two received checksum characters match the expected checksum. Hexadecimal digits
 * are compared without regard to case, because some analyzers send lowercase ones.
 */
export function checksumMatches(received: string, expected: string): boolean {
  return /^[0-9A-Fa-f]{2}$/.test(received) && received.toUpperCase() === expected;
}
