import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { pino } from 'pino';

import type { Logger } from '../../main/core/logging/logger.js';
import type { Transport, TransportSettingsInput, TransportStateChange } from '../transport/index.js';
import { createTransport } from '../transport/index.js';
import { AstmSender } from './astm-sender.js';
import type { CaptureProtocol } from './capture-types.js';
import { ConnectionError, listeningPort, settingsForReopen, waitUntilOpen } from './connection.js';
import type { FailureReason, SimulatorEvent } from './events.js';
import type { FaultKind, PlannedFault } from './faults.js';
import { planFaults } from './faults.js';
import { Hl7Sender } from './hl7-sender.js';
import type { MessageSender, SenderContext } from './sender.js';
import type { ResolvedSimulatorOptions, SimulatorOptions } from './simulator-options.js';
import { resolveSimulatorOptions } from './simulator-options.js';

/** The outcome of one message, after all its attempts. */
export interface MessageResult {
  readonly message: number;
  readonly captureMessage: number;
  readonly attempts: number;
  readonly accepted: boolean;
  readonly reason?: FailureReason;
  /** HL7: MSA-1 of the ACK that decided the outcome. */
  readonly ackCode?: string;
}

export interface FaultResult {
  readonly message: number;
  readonly fault: FaultKind;
  /** Whether the host replied as its protocol requires. */
  readonly expected: boolean;
  readonly hostAnswer: string;
  readonly detail: string;
}

export interface SimulationReport {
  readonly protocol: CaptureProtocol;
  /** Messages sent (each counted once, however many attempts it took). */
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly results: readonly MessageResult[];
  readonly faults: readonly FaultResult[];
  /** True when `stop()` ended the run. */
  readonly stopped: boolean;
  /** Set when the connection could not be opened; the messages after it were not sent. */
  readonly connectionError?: string;
  /** True when every planned message was accepted, the connection opened and every fault had its expected outcome. */
  readonly ok: boolean;
}

export interface AnalyzerSimulatorEvents {
  event: [event: SimulatorEvent];
}

/**
 * Plays a lab analyzer: sends the messages of a capture to a host over a serial port or TCP with
 * the handshake of their protocol (ASTM E1381 or HL7 MLLP). It injects the faults it was given
 * and reports each step as an `event`. One simulator makes one run.
 */
export class AnalyzerSimulator extends EventEmitter<AnalyzerSimulatorEvents> {
  readonly #options: ResolvedSimulatorOptions;
  readonly #faults: Map<number, PlannedFault>;
  /** The component's logger, which the transport adds its connection id to. */
  readonly #componentLog: Logger;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #faultResults: FaultResult[] = [];
  #settings: TransportSettingsInput;
  #transport: Transport;
  #sender: MessageSender | undefined;
  #writes: Promise<void> = Promise.resolve();
  #lastStateChange: TransportStateChange | undefined;
  #run: Promise<SimulationReport> | undefined;

  /** Throws RangeError for an invalid option and FaultError for a fault that does not fit the capture. */
  constructor(options: SimulatorOptions) {
    super();
    this.#options = resolveSimulatorOptions(options);
    this.#faults = planFaults(options.faults ?? [], options.capture, this.#totalMessages);
    this.#componentLog = (options.logger ?? pino({ level: 'silent' })).child({ component: 'analyzer-simulator' });
    this.#log = this.#componentLog.child({ connectionId: this.#options.id });
    this.#settings = options.connection;
    this.#transport = this.#createTransport(options.connection);
  }

  /** The port the simulator listens on in `tcp-server` mode, once listening; useful with port 0. */
  get listeningPort(): number | undefined {
    return listeningPort(this.#transport);
  }

  /** Runs the simulation once and resolves with its report; later calls return the same run. */
  run(): Promise<SimulationReport> {
    this.#run ??= this.#execute();
    return this.#run;
  }

  /** Stops a run in progress: the transfer in flight fails, the connection closes. Resolves once the run has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#sender?.close();
    await this.#writes;
    await this.#transport.close();
    if (this.#run) await this.#run;
  }

  get #totalMessages(): number {
    return this.#options.capture.messages.length * this.#options.repeat;
  }

  async #execute(): Promise<SimulationReport> {
    // NOTE: a run that repeats until stopped keeps one small result object per message sent, so
    // its memory grows for as long as it runs.
    const results: MessageResult[] = [];
    const { capture } = this.#options;
    let connectionError: string | undefined;

    this.#emit({ type: 'capture', protocol: capture.protocol, format: capture.format, escapedLog: capture.escapedLog, messages: capture.messages.length, totalMessages: this.#totalMessages, notes: capture.notes });
    this.#log.info({ protocol: capture.protocol, messages: capture.messages.length, totalMessages: this.#totalMessages, faults: this.#faults.size }, 'simulator started');

    try {
      this.#emit({ type: 'connecting', transport: this.#transport.kind, endpoint: this.#transport.endpoint });
      await this.#ensureOpen();
      this.#sender = this.#createSender();

      for (let number = 1; number <= this.#totalMessages && !this.#abort.signal.aborted; number += 1) {
        results.push(await this.#deliver(number));
        if (number < this.#totalMessages && this.#options.delayMs > 0) await sleep(this.#options.delayMs, undefined, { signal: this.#abort.signal });
      }
    } catch (error) {
      if (error instanceof ConnectionError) {
        connectionError = error.message;
        this.#emit({ type: 'connection-failed', detail: error.message });
        this.#log.error({ err: error }, 'simulator could not open its connection');
      } else if (!this.#abort.signal.aborted) {
        throw error;
      }
    } finally {
      // The last EOT or ACK may still wait in the write queue; closing first would cut it off.
      await this.#writes;
      this.#sender?.close();
      await this.#transport.close();
    }

    const report = this.#report(results, connectionError);
    this.#emit({ type: 'finished', sent: report.sent, accepted: report.accepted, failed: report.failed, faults: report.faults.length, unexpectedFaultOutcomes: report.faults.filter((fault) => !fault.expected).length, stopped: report.stopped, ok: report.ok });
    this.#log.info({ sent: report.sent, accepted: report.accepted, failed: report.failed, stopped: report.stopped }, 'simulator finished');
    return report;
  }

  /** Sends message `number`, with its fault on the first attempt and up to `resend` more attempts. */
  async #deliver(number: number): Promise<MessageResult> {
    const { capture, resend } = this.#options;
    const message = capture.messages[(number - 1) % capture.messages.length] as (typeof capture.messages)[number];
    const fault = this.#faults.get(number);
    const sender = this.#sender as MessageSender;

    for (let attempt = 1; ; attempt += 1) {
      await this.#ensureOpen();
      const frames = sender.frameCount(message);
      this.#emit({
        type: 'message-started',
        message: number,
        attempt,
        captureMessage: message.index,
        bytes: message.payload.length,
        ...(frames === undefined ? {} : { frames }),
        ...(message.controlId === undefined ? {} : { controlId: message.controlId }),
      });

      const outcome = await sender.send({ number, attempt, message, ...(attempt === 1 && fault ? { fault } : {}) });
      if (outcome.accepted) {
        this.#emit({ type: 'message-accepted', message: number, attempt, ...(outcome.ackCode === undefined ? {} : { ackCode: outcome.ackCode }) });
        return { message: number, captureMessage: message.index, attempts: attempt, accepted: true, ...(outcome.ackCode === undefined ? {} : { ackCode: outcome.ackCode }) };
      }

      const willResend = outcome.resendable && attempt <= resend && !this.#abort.signal.aborted;
      this.#emit({ type: 'message-failed', message: number, attempt, reason: outcome.reason, detail: outcome.detail, willResend, ...(outcome.ackCode === undefined ? {} : { ackCode: outcome.ackCode }) });
      this.#log.warn({ message: number, captureMessage: message.index, attempt, reason: outcome.reason, controlId: message.controlId, willResend }, 'simulated message not accepted');
      if (!willResend) {
        return { message: number, captureMessage: message.index, attempts: attempt, accepted: false, reason: outcome.reason, ...(outcome.ackCode === undefined ? {} : { ackCode: outcome.ackCode }) };
      }
    }
  }

  #createSender(): MessageSender {
    const context: SenderContext = {
      write: (bytes) => this.#write(bytes),
      closeConnection: () => this.#closeConnection(),
      emit: (event) => this.#emit(event),
      sleep: (milliseconds) => sleep(milliseconds, undefined, { signal: this.#abort.signal }),
    };
    const { silenceMs, ackTimeoutMs, astm } = this.#options;
    if (this.#options.capture.protocol === 'astm') return new AstmSender(context, { timing: astm ?? {}, silenceMs });
    return new Hl7Sender(context, { ackTimeoutMs, silenceMs });
  }

  #createTransport(settings: TransportSettingsInput): Transport {
    const transport = createTransport(settings, { id: this.#options.id, logger: this.#componentLog });
    transport.on('data', (chunk) => {
      if (transport === this.#transport) this.#sender?.receive(chunk);
    });
    transport.on('state', (change) => this.#onState(transport, change));
    return transport;
  }

  #onState(transport: Transport, change: TransportStateChange): void {
    if (transport !== this.#transport) return;

    this.#lastStateChange = change;
    this.#emit({ type: 'connection', state: change.state, reason: change.reason });
    if (change.previous === 'open' && change.state !== 'open') this.#sender?.connectionLost();
  }

  /** Opens the connection if it is closed, then waits until it is open. */
  async #ensureOpen(): Promise<void> {
    const transport = this.#transport;
    if (transport.state === 'closed' || transport.state === 'failed') {
      try {
        await transport.open();
      } catch (error) {
        throw new ConnectionError(error instanceof Error ? error.message : String(error));
      }
      const port = listeningPort(transport);
      if (port !== undefined) this.#emit({ type: 'listening', address: transport.endpoint.slice(0, transport.endpoint.lastIndexOf(':')), port });
    }
    await waitUntilOpen(transport, this.#options.openTimeoutMs, this.#abort.signal, this.#lastStateChange);
  }

  #write(bytes: Buffer): void {
    const transport = this.#transport;
    this.#writes = this.#writes
      .then(() => transport.write(bytes))
      .catch((error: unknown) => {
        // The transport reports the lost connection as a state change, which fails the transfer.
        this.#log.debug({ err: error, bytes: bytes.length }, 'write to the host failed');
      });
  }

  /** Closes the connection once queued bytes are out; the next message opens it again. */
  async #closeConnection(): Promise<void> {
    await this.#writes;
    const closed = this.#transport;
    const port = listeningPort(closed);
    await closed.close();

    const settings = settingsForReopen(this.#settings, port);
    if (settings !== this.#settings) {
      this.#settings = settings;
      this.#transport = this.#createTransport(settings);
    }
  }

  #emit(event: SimulatorEvent): void {
    if (event.type === 'fault-outcome') {
      const { message, fault, expected, hostAnswer, detail } = event;
      this.#faultResults.push({ message, fault, expected, hostAnswer, detail });
    }
    this.emit('event', event);
  }

  #report(results: readonly MessageResult[], connectionError: string | undefined): SimulationReport {
    const accepted = results.filter((result) => result.accepted).length;
    const stopped = this.#abort.signal.aborted;
    const allSent = this.#options.repeat === Infinity || results.length === this.#totalMessages;
    const ok = accepted === results.length && allSent && connectionError === undefined && this.#faultResults.every((fault) => fault.expected);

    return {
      protocol: this.#options.capture.protocol,
      sent: results.length,
      accepted,
      failed: results.length - accepted,
      results,
      faults: this.#faultResults,
      stopped,
      ...(connectionError === undefined ? {} : { connectionError }),
      ok,
    };
  }
}
