import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { readAstmFrames } from '../../devices/astm/index.js';

/** Path of the cobas c 311 capture, whose specimen id the demo seed gives to one of its Specimens. */
export const C311_CAPTURE = join(import.meta.dirname, '../fixtures/astm/senaite_cobas_c311.txt');

/** Returns the records of the cobas c 311 capture, each ended by CR: its frames' text, as the link layer delivers it. */
export function c311RecordText(): string {
  return readAstmFrames(readFileSync(C311_CAPTURE))
    .flatMap((token) => (token.kind === 'frame' ? [token.frame.text.toString('latin1')] : []))
    .join('');
}

/**
 * Reads until `done` holds or the time runs out; the error names what was awaited and the last
 * value read, so a failure shows what the workstation had instead.
 */
export async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
