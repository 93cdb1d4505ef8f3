import { EventEmitter } from 'node:events';

import type { AstmLinkOptions } from '../../../devices/astm/index.js';
import { AstmLink } from '../../../devices/astm/index.js';
import type { Hl7Message } from '../../../devices/hl7/index.js';
import { Hl7Error, MllpDecoder, ackForError, acknowledgmentRequest, buildAck, frameMllp, parseMessage, wantsApplicationAck, wantsCommitAck } from '../../../devices/hl7/index.js';
import type { Transport, TransportState, TransportStateChange } from '../../../devices/transport/index.js';
import type { Logger } from '../logging/logger.js';
import type { ArchivedLabMessage, LabArchive, LabProtocol } from './lab-archive.js';

/** A complete message from an analyzer, archived before the handler receives it. */
export interface ReceivedLabMessage {
  archived: ArchivedLabMessage;
  protocol: LabProtocol;
  /** The bytes as archived: ASTM frames STX through LF, or the HL7 message without its MLLP block characters. */
  raw: Buffer;
  /** ASTM: the records, each ended by CR. HL7: the message without its MLLP block characters. */
  text: Buffer;
  /** The parsed HL7 message; ASTM records are parsed by the handler with the profile's encoding. */
  hl7?: Hl7Message;
}

/**
 * A message the handler requests the session to send back on the same connection: the response
 * to a host query. ASTM bytes go out in a transfer of their own once the link is neutral again; an HL7
 * message (an RSP) is sent in place of the AA acknowledgment.
 */
export type LabReply = { protocol: 'astm'; bytes: Buffer } | { protocol: 'hl7'; message: Hl7Message };

/**
 * Stores what a message holds. Resolving means its results are safely stored or queued for review;
 * an HL7 sender then gets AA, or the reply when the handler returns one. A handler that never
 * replies may return Promise<void>. Throwing gets the sender AE, so it may send the message again.
 */
export type LabMessageHandler = (message: ReceivedLabMessage) => Promise<LabReply | undefined> | Promise<void>;

export interface AnalyzerSessionStatus {
  connectionId: string;
  protocol: LabProtocol;
  endpoint: string;
  transportState: TransportState;
  /** Reason for the transport's last state change, for the status screen. */
  transportReason: string;
  messagesReceived: number;
  /** Transfers the link abandoned or messages that could not be read. */
  failures: number;
  lastMessageAt: string | null;
}

export interface AnalyzerSessionOptions {
  connectionId: string;
  protocol: LabProtocol;
  transport: Transport;
  archive: LabArchive;
  handle: LabMessageHandler;
  logger: Logger;
  now: () => Date;
  /** ASTM link options from the profile (oversized frames) and from tests (short timeouts). */
  astm?: AstmLinkOptions;
}

interface AnalyzerSessionEvents {
  status: [status: AnalyzerSessionStatus];
}

/**
 * One analyzer connection: the transport, the protocol on top of it and the archive beneath.
 * Every chunk from the analyzer goes to the wire journal before the protocol layer reads it, so nothing
 * the workstation acknowledged can be lost in a crash.
 */
export class AnalyzerSession extends EventEmitter<AnalyzerSessionEvents> {
  readonly #options: AnalyzerSessionOptions;
  readonly #log: Logger;
  readonly #receive: (chunk: Buffer) => void;
  readonly #onState: (change: TransportStateChange) => void;
  readonly #onData: (chunk: Buffer) => void;
  readonly #astm: AstmLink | undefined;
  /** HL7 messages are handled one at a time, so acknowledgments leave in the order messages came. */
  #hl7Queue: Promise<void> = Promise.resolve();
  #status: AnalyzerSessionStatus;

  constructor(options: AnalyzerSessionOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ connection: options.connectionId });
    this.#status = {
      connectionId: options.connectionId,
      protocol: options.protocol,
      endpoint: options.transport.endpoint,
      transportState: options.transport.state,
      transportReason: '',
      messagesReceived: 0,
      failures: 0,
      lastMessageAt: null,
    };

    if (options.protocol === 'astm') {
      this.#astm = this.#createAstmLink();
      const link = this.#astm;
      this.#receive = (chunk) => link.receive(chunk);
    } else {
      const decoder = new MllpDecoder();
      this.#receive = (chunk) => {
        for (const event of decoder.push(chunk)) {
          if (event.type === 'message') this.#enqueueHl7(event.payload);
          else if (event.type === 'warning') this.#log.warn({ code: event.warning.code }, 'MLLP framing warning');
          else this.#enqueueHl7Failure(event.error);
        }
      };
    }

    this.#onData = (chunk) => {
      options.archive.journal(options.connectionId, 'in', chunk);
      this.#receive(chunk);
    };
    this.#onState = (change) => {
      if (change.state !== 'open') this.#astm?.reset();
      this.#update({ transportState: change.state, transportReason: change.reason });
    };
  }

  get status(): AnalyzerSessionStatus {
    return { ...this.#status };
  }

  async start(): Promise<void> {
    this.#options.transport.on('data', this.#onData);
    this.#options.transport.on('state', this.#onState);
    await this.#options.transport.open();
  }

  async stop(): Promise<void> {
    this.#options.transport.off('data', this.#onData);
    this.#options.transport.off('state', this.#onState);
    this.#astm?.close();
    await this.#hl7Queue;
    await this.#options.transport.close();
  }

  #createAstmLink(): AstmLink {
    const link = new AstmLink({ ...this.#options.astm, role: 'host' });
    link.on('write', (bytes) => this.#send(bytes));
    link.on('message', (message) => {
      const archived = this.#options.archive.archive(this.#options.connectionId, 'astm', message.raw);
      this.#received();
      this.#log.info({ message: archived.id, frames: message.frameCount, bytes: message.raw.length }, 'ASTM message received');
      this.#options.handle({ archived, protocol: 'astm', raw: message.raw, text: message.text }).then(
        (reply) => {
          if (reply?.protocol === 'astm') this.#sendAstm(link, archived.id, reply.bytes);
        },
        (error: unknown) => {
          this.#failed();
          this.#log.error({ message: archived.id, err: error }, 'storing an ASTM message failed; it stays in the archive as received');
        },
      );
    });
    link.on('transferFailed', (error) => {
      this.#failed();
      this.#log.warn({ code: error.code, direction: error.direction, discardedFrames: error.discardedFrames }, 'ASTM transfer abandoned; the analyzer must send it again');
    });
    link.on('warning', (warning) => this.#log.warn({ code: warning.code }, 'ASTM link warning'));
    return link;
  }

  /** Sends a reply in a transfer of its own; the link writes its ENQ once the analyzer's transfer has ended. */
  #sendAstm(link: AstmLink, messageId: string, bytes: Buffer): void {
    link.send(bytes).then(
      () => this.#log.info({ message: messageId, bytes: bytes.length }, 'ASTM reply delivered'),
      (error: unknown) => this.#log.warn({ message: messageId, err: error }, 'ASTM reply not delivered; the analyzer queries again if it still needs the orders'),
    );
  }

  #enqueueHl7(payload: Buffer): void {
    this.#hl7Queue = this.#hl7Queue.then(() => this.#handleHl7(payload));
  }

  #enqueueHl7Failure(error: Hl7Error): void {
    this.#hl7Queue = this.#hl7Queue.then(async () => {
      this.#failed();
      this.#log.warn({ condition: error.condition }, 'MLLP block dropped');
      await this.#sendHl7(ackForError(error).toBytes());
    });
  }

  async #handleHl7(payload: Buffer): Promise<void> {
    const archived = this.#options.archive.archive(this.#options.connectionId, 'hl7', payload);
    this.#received();
    let message: Hl7Message;
    try {
      message = parseMessage(payload);
    } catch (error) {
      this.#failed();
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.archive.settle(archived.id, 'rejected', { error: reason });
      this.#log.warn({ message: archived.id, err: error }, 'HL7 message could not be read; sent a negative acknowledgment');
      if (error instanceof Hl7Error) await this.#sendHl7(ackForError(error).toBytes());
      return;
    }

    const request = acknowledgmentRequest(message);
    try {
      const reply = await this.#options.handle({ archived, protocol: 'hl7', raw: payload, text: payload, hl7: message });
      this.#log.info({ message: archived.id, type: `${message.messageType.code}^${message.messageType.trigger}` }, 'HL7 message stored');
      // Enhanced mode requests a commit acknowledgment (MSH-15) and an application one (MSH-16)
      // apart. The message is stored before either is sent, so both tell the sender the same.
      if (wantsCommitAck(request, true)) await this.#sendHl7(buildAck(message, { code: 'CA' }).toBytes());
      // A query's response is its application-level acknowledgment, so it is sent whatever MSH-16 requests.
      if (reply?.protocol === 'hl7') await this.#sendHl7(reply.message.toBytes());
      else if (wantsApplicationAck(request, true)) await this.#sendHl7(buildAck(message, { code: 'AA' }).toBytes());
    } catch (error) {
      this.#failed();
      this.#log.error({ message: archived.id, err: error }, 'storing an HL7 message failed; sent an error acknowledgment so the analyzer sends it again');
      const errors = [{ condition: 207 as const, message: 'The workstation could not store the message; send it again' }];
      if (wantsCommitAck(request, false)) await this.#sendHl7(buildAck(message, { code: 'CE', errors }).toBytes());
      if (wantsApplicationAck(request, false)) await this.#sendHl7(buildAck(message, { code: 'AE', errors }).toBytes());
    }
  }

  async #sendHl7(payload: Buffer): Promise<void> {
    await this.#send(frameMllp(payload));
  }

  async #send(bytes: Buffer): Promise<void> {
    this.#options.archive.journal(this.#options.connectionId, 'out', bytes);
    try {
      await this.#options.transport.write(bytes);
    } catch (error) {
      // The analyzer is gone; it sends again after reconnecting, because it saw no acknowledgment.
      this.#log.warn({ err: error }, 'writing to the analyzer failed');
    }
  }

  #received(): void {
    this.#update({ messagesReceived: this.#status.messagesReceived + 1, lastMessageAt: this.#options.now().toISOString() });
  }

  #failed(): void {
    this.#update({ failures: this.#status.failures + 1 });
  }

  #update(change: Partial<AnalyzerSessionStatus>): void {
    this.#status = { ...this.#status, ...change };
    this.emit('status', this.status);
  }
}
