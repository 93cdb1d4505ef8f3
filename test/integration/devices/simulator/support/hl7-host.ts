import type { AckCode, Acknowledgment, Hl7Message, Hl7Warning } from '../../../../../devices/hl7/index.js';
import { ackForError, buildAck, frameMllp, Hl7Error, MllpDecoder, parseMessage, readAcknowledgment } from '../../../../../devices/hl7/index.js';
import type { Transport } from '../../../../../devices/transport/index.js';
import { Recorder } from './recorder.js';

/** Decides the ACK code for the n-th message (from 1); undefined sends no ACK. */
export type AckPolicy = (message: Hl7Message, index: number) => AckCode | undefined;

/**
 * The LIS side of an MLLP connection: decodes blocks, parses each message and acknowledges it as
 * the policy decides (AA by default), or with the AE or AR of the parse error. ACK messages are
 * recorded and not acknowledged. A block the decoder cuts off is rejected with AR when its MSH-10
 * can be read from its first bytes, so that the sender learns of it. A lost connection ends
 * the decoder's stream, so a half block is reported and dropped.
 */
export class Hl7TestHost {
  /** Payloads of every block the decoder delivered, byte for byte, in order. */
  readonly blocks = new Recorder<Buffer>();
  /** Payloads of the messages accepted (not acknowledgments, not unparsable). */
  readonly payloads = new Recorder<Buffer>();
  /** Payloads that did not parse, rejected with the parse error's AE or AR. */
  readonly unparsed = new Recorder<Buffer>();
  /** Acknowledgments the simulator sent for messages of the host. */
  readonly acks = new Recorder<Acknowledgment>();
  readonly cutOffs = new Recorder<Hl7Error>();
  readonly warnings = new Recorder<Hl7Warning>();
  #decoder = new MllpDecoder();
  #delivered = 0;

  constructor(
    readonly transport: Transport,
    readonly policy: AckPolicy = () => 'AA',
  ) {
    transport.on('data', (chunk) => this.#read(this.#decoder.push(chunk)));
    transport.on('state', (change) => {
      if (change.previous !== 'open' || change.state === 'open') return;
      this.#read(this.#decoder.end());
      this.#decoder = new MllpDecoder();
    });
  }

  /** MSH-10 of each delivered message, in order. */
  controlIds(): string[] {
    return this.payloads.items.map((payload) => parseMessage(payload).controlId);
  }

  #read(events: ReturnType<MllpDecoder['push']>): void {
    for (const event of events) {
      if (event.type === 'warning') {
        this.warnings.push(event.warning);
      } else if (event.type === 'error') {
        this.#rejectCutOff(event.head);
        this.cutOffs.push(event.error);
      } else {
        this.#deliver(event.payload);
      }
    }
  }

  #deliver(payload: Buffer): void {
    this.blocks.push(payload);
    let message: Hl7Message;
    try {
      message = parseMessage(payload);
    } catch (error) {
      if (!(error instanceof Hl7Error)) throw error;
      this.unparsed.push(payload);
      this.#answer(ackForError(error, { sendingApplication: 'TEST-LIS' }));
      return;
    }

    const acknowledgment = message.messageType.code === 'ACK' ? readAcknowledgment(message) : undefined;
    if (acknowledgment) {
      this.acks.push(acknowledgment);
      return;
    }
    this.#delivered += 1;
    const code = this.policy(message, this.#delivered);
    this.payloads.push(payload);
    if (code !== undefined) this.#answer(buildAck(message, { code, sendingApplication: 'TEST-LIS' }));
  }

  #rejectCutOff(head: Buffer): void {
    try {
      this.#answer(buildAck(parseMessage(head), { code: 'AR', sendingApplication: 'TEST-LIS' }));
    } catch {
      // No readable MSH in the first bytes, so there is no MSH-10 to reject.
    }
  }

  #answer(ack: Hl7Message): void {
    this.transport.write(frameMllp(ack.toBytes())).catch(() => undefined);
  }
}
