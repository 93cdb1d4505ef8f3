import { buildAck, frameMllp, Hl7Error, MllpDecoder, parseMessage, readAcknowledgment } from '../hl7/index.js';
import type { Hl7Message } from '../hl7/index.js';
import { acceptsMessage, hl7FaultVerdict } from './hl7-fault-verdict.js';
import type { AckResult, ReceivedAck } from './hl7-fault-verdict.js';
import type { MessageSender, OutgoingMessage, SendOutcome, SenderContext } from './sender.js';

export interface Hl7SenderOptions {
  /** Wait for the ACK of each message, in ms. */
  readonly ackTimeoutMs: number;
  /** How long the `timeout` fault stays silent, in ms. */
  readonly silenceMs: number;
}

/** MSH-3 of the simulator's own acknowledgments. */
const SIMULATOR_APPLICATION = 'HMS-LAB-SIMULATOR';

interface AckWait {
  /** The message's number in the run. */
  readonly number: number;
  readonly controlId: string | undefined;
  readonly resolve: (result: AckResult) => void;
  /** Set by the lost-ack fault: the next matching ACK is ignored. */
  ignoreNext: boolean;
  /** MSA-1 of the ACK the lost-ack fault ignored. */
  ignored?: string;
}

/** A block the host holds unfinished, whose rejection may come when the next block starts. */
interface UnfinishedBlock {
  readonly number: number;
  readonly controlId: string;
}

/**
 * The analyzer's side of HL7 over MLLP: each message goes out in one block (VT, message, FS, CR)
 * and the next waits for the host's ACK, matched by MSA-2 to the message's MSH-10. Messages the
 * host sends that are not acknowledgments are acknowledged with AA.
 */
export class Hl7Sender implements MessageSender {
  readonly #context: SenderContext;
  readonly #options: Hl7SenderOptions;
  #decoder = new MllpDecoder();
  #wait: AckWait | undefined;
  #silence: Buffer[] | undefined;
  #unfinished: UnfinishedBlock | undefined;
  #closed = false;

  constructor(context: SenderContext, options: Hl7SenderOptions) {
    this.#context = context;
    this.#options = options;
  }

  frameCount(): undefined {
    return undefined;
  }

  async send(outgoing: OutgoingMessage): Promise<SendOutcome> {
    const { fault, message } = outgoing;
    const block = frameMllp(message.payload);
    let result: AckResult;

    if (fault?.kind === 'timeout' || fault?.kind === 'interrupt-close') {
      result = await this.#sendPart(outgoing, block, fault.kind);
    } else {
      let bytes = block;
      if (fault?.kind === 'broken-mllp') {
        bytes = fault.part === 'start' ? block.subarray(1) : block.subarray(0, block.length - 2);
        const left = fault.part === 'start' ? 'its start (VT)' : 'its end (FS CR)';
        this.#context.emit({ type: 'fault-injected', message: outgoing.number, fault: 'broken-mllp', detail: `sent the block without ${left}` });
        if (fault.part !== 'start' && message.controlId !== undefined) this.#unfinished = { number: outgoing.number, controlId: message.controlId };
      }
      const waiting = this.#waitForAck(outgoing.number, message.controlId, fault?.kind === 'lost-ack');
      this.#context.write(bytes);
      result = await waiting;
    }

    const outcome = this.#outcomeOf(result, outgoing);
    if (fault) {
      const verdict = hl7FaultVerdict(fault, result, this.#options);
      this.#context.emit({ type: 'fault-outcome', message: outgoing.number, fault: fault.kind, ...verdict });
    }
    return outcome;
  }

  receive(chunk: Buffer): void {
    if (this.#silence) {
      this.#silence.push(Buffer.from(chunk));
      return;
    }
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === 'message') this.#onBlock(event.payload);
    }
  }

  connectionLost(): void {
    this.#decoder = new MllpDecoder();
    this.#unfinished = undefined;
    this.#wait?.resolve({ kind: 'connection-lost' });
  }

  close(): void {
    this.#closed = true;
    this.#wait?.resolve({ kind: 'stopped' });
  }

  /** Sends the first half of the block, then stays silent or closes the connection. */
  async #sendPart(outgoing: OutgoingMessage, block: Buffer, kind: 'timeout' | 'interrupt-close'): Promise<AckResult> {
    const payloadBytes = outgoing.message.payload.length;
    const part = block.subarray(0, 1 + Math.max(1, Math.floor(payloadBytes / 2)));
    this.#context.write(part);

    if (kind === 'interrupt-close') {
      this.#context.emit({ type: 'fault-injected', message: outgoing.number, fault: kind, detail: `closes the connection after ${part.length - 1} of ${payloadBytes} message bytes` });
      await this.#context.closeConnection();
      return { kind: 'interrupted' };
    }

    this.#context.emit({ type: 'fault-injected', message: outgoing.number, fault: kind, detail: `stopped after ${part.length - 1} of ${payloadBytes} message bytes and stays silent for ${this.#options.silenceMs} ms` });
    this.#silence = [];
    let received: Buffer[];
    try {
      await this.#context.sleep(this.#options.silenceMs);
    } finally {
      received = this.#silence ?? [];
      this.#silence = undefined;
      if (outgoing.message.controlId !== undefined) this.#unfinished = { number: outgoing.number, controlId: outgoing.message.controlId };
    }
    // The simulator ignored the host while silent: the bytes are only described, never read as replies.
    return { kind: 'silent', received: Buffer.concat(received) };
  }

  #waitForAck(number: number, controlId: string | undefined, ignoreNext: boolean): Promise<AckResult> {
    if (this.#closed) return Promise.resolve({ kind: 'stopped' });

    return new Promise<AckResult>((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout', ...(wait.ignored === undefined ? {} : { ignored: wait.ignored }) }), this.#options.ackTimeoutMs);
      const finish = (result: AckResult): void => {
        clearTimeout(timer);
        if (this.#wait === wait) this.#wait = undefined;
        resolve(result);
      };
      const wait: AckWait = { number, controlId, resolve: finish, ignoreNext };
      this.#wait = wait;
    });
  }

  #onBlock(payload: Buffer): void {
    let message: Hl7Message;
    try {
      message = parseMessage(payload);
    } catch (error) {
      if (!(error instanceof Hl7Error)) throw error;
      this.#context.emit({ type: 'host-message', protocol: 'hl7', bytes: payload.length, answered: 'nothing: the message cannot be parsed' });
      return;
    }

    const acknowledgment = readAcknowledgment(message);
    if (!acknowledgment) {
      this.#answerHostMessage(message, payload.length);
      return;
    }
    this.#onAck({
      code: acknowledgment.code.toUpperCase(),
      controlId: acknowledgment.controlId,
      text: acknowledgment.errors.find((error) => error.message !== '')?.message ?? acknowledgment.text,
    });
  }

  #onAck(ack: ReceivedAck): void {
    const unfinished = this.#unfinished;
    if (unfinished && ack.controlId === unfinished.controlId && !acceptsMessage(ack.code)) {
      // The host rejects a block it held unfinished once the next block starts (a VT inside a block).
      this.#unfinished = undefined;
      this.#context.emit({ type: 'late-ack', message: unfinished.number, ackCode: ack.code, detail: `the host rejected the unfinished block of message ${unfinished.number} when the next block began` });
      return;
    }

    const wait = this.#wait;
    if (!wait || (wait.controlId !== undefined && ack.controlId !== '' && ack.controlId !== wait.controlId)) {
      this.#context.emit({ type: 'unmatched-ack', ackCode: ack.code, controlId: ack.controlId });
      return;
    }
    if (wait.ignoreNext) {
      wait.ignoreNext = false;
      wait.ignored = ack.code;
      this.#context.emit({ type: 'fault-injected', message: wait.number, fault: 'lost-ack', detail: `ignored the host's ${ack.code}; the ACK timeout of ${this.#options.ackTimeoutMs} ms runs` });
      return;
    }

    this.#unfinished = undefined;
    wait.resolve({ kind: 'ack', ack });
  }

  #answerHostMessage(message: Hl7Message, bytes: number): void {
    const ack = buildAck(message, { code: 'AA', sendingApplication: SIMULATOR_APPLICATION });
    this.#context.write(frameMllp(ack.toBytes()));
    const type = message.messageType;
    this.#context.emit({ type: 'host-message', protocol: 'hl7', bytes, messageType: `${type.code}^${type.trigger}`, controlId: message.controlId, answered: 'AA' });
  }

  #outcomeOf(result: AckResult, outgoing: OutgoingMessage): SendOutcome {
    const injected = outgoing.fault !== undefined && outgoing.fault.kind !== 'lost-ack';
    switch (result.kind) {
      case 'ack':
        if (acceptsMessage(result.ack.code)) return { accepted: true, ackCode: result.ack.code };
        return {
          accepted: false,
          reason: injected ? 'injected-fault' : 'rejected',
          detail: `the host answered ${result.ack.code}${result.ack.text === '' ? '' : `: ${result.ack.text}`}`,
          ackCode: result.ack.code,
          // The same message would be rejected again; a block the simulator broke may pass when sent whole.
          resendable: injected,
        };
      case 'timeout':
        return { accepted: false, reason: injected ? 'injected-fault' : 'ack-timeout', detail: `no ACK within ${this.#options.ackTimeoutMs} ms`, resendable: true };
      case 'silent':
        return { accepted: false, reason: 'injected-fault', detail: `the simulator sent half the block and stayed silent for ${this.#options.silenceMs} ms`, resendable: true };
      case 'interrupted':
        return { accepted: false, reason: 'injected-fault', detail: 'the simulator closed the connection in the middle of the block', resendable: true };
      case 'connection-lost':
        return { accepted: false, reason: 'connection-lost', detail: 'the connection was lost before the ACK arrived', resendable: true };
      case 'stopped':
        return { accepted: false, reason: 'stopped', detail: 'the simulator was stopped before the ACK arrived', resendable: false };
    }
  }
}
