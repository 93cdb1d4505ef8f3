import { Hl7Error, MllpDecoder, ackForError, buildAck, frameMllp, parseMessage } from '../../../../../devices/hl7/index.js';
import type { Hl7Message, Hl7Warning } from '../../../../../devices/hl7/index.js';

export const OUR_APPLICATION = 'HMS-LAB';
export const OUR_FACILITY = 'WARD-LAB';

/** What a receiver did after one read. */
export interface ReadOutcome {
  accepted: Hl7Message[];
  rejected: Hl7Error[];
  /** ACK bytes written back, MLLP-framed, in order. */
  replies: Buffer[];
  warnings: Hl7Warning[];
}

/**
 * Plays the receiving side of an MLLP connection as the transport will wire it. It decodes blocks,
 * parses each, and replies AA to a parsed message and AE or AR to a rejected one.
 */
export class TestReceiver {
  readonly #decoder = new MllpDecoder();

  read(chunk: Uint8Array): ReadOutcome {
    const outcome: ReadOutcome = { accepted: [], rejected: [], replies: [], warnings: [] };
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === 'warning') {
        outcome.warnings.push(event.warning);
      } else if (event.type === 'error') {
        outcome.rejected.push(event.error);
      } else {
        try {
          const message = parseMessage(event.payload, { offset: event.offset });
          outcome.accepted.push(message);
          outcome.replies.push(frameMllp(buildAck(message, { code: 'AA', sendingApplication: OUR_APPLICATION, sendingFacility: OUR_FACILITY }).toBytes()));
        } catch (error) {
          if (!(error instanceof Hl7Error)) throw error;
          outcome.rejected.push(error);
          outcome.replies.push(frameMllp(ackForError(error, { sendingApplication: OUR_APPLICATION, sendingFacility: OUR_FACILITY }).toBytes()));
        }
      }
    }
    return outcome;
  }
}

/** Parses an MLLP-framed reply back into a message. */
export function unframe(reply: Buffer): Hl7Message {
  const events = new MllpDecoder().push(reply);
  const event = events[0];
  if (events.length !== 1 || event?.type !== 'message') throw new Error(`a reply is not one MLLP block: ${events.length} events`);
  return parseMessage(event.payload);
}
