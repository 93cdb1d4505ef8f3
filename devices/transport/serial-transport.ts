import { SerialPort } from 'serialport';

import { hangupAwareBinding } from './hangup-aware-binding.js';
import type { SerialSettings } from './settings.js';
import { writeToStream } from './stream-write.js';
import type { AttemptOutcome, ErrorVerdict, TransportOptions } from './transport-base.js';
import { TransportBase } from './transport-base.js';

/**
 * A serial port through the `serialport` package. When the port disappears (a USB adapter pulled,
 * the analyzer switched off, a driver error), the transport closes it and reopens the same path
 * with backoff, so a replugged adapter at the same path carries data again without a restart.
 */
export class SerialTransport extends TransportBase {
  readonly #settings: SerialSettings;
  #port: SerialPort | undefined;

  constructor(settings: SerialSettings, options: TransportOptions) {
    super(options, 'serial', settings.path, settings.reconnect);
    this.#settings = settings;
  }

  protected async attempt(): Promise<AttemptOutcome> {
    const options = {
      binding: hangupAwareBinding,
      path: this.#settings.path,
      baudRate: this.#settings.baudRate,
      dataBits: this.#settings.dataBits,
      parity: this.#settings.parity,
      stopBits: this.#settings.stopBits,
      rtscts: this.#settings.flowControl === 'rts-cts',
      xon: this.#settings.flowControl === 'xon-xoff',
      xoff: this.#settings.flowControl === 'xon-xoff',
      // An exclusive lock keeps a second program (or a second workstation process) off the port.
      lock: true,
      autoOpen: false,
    };
    // SerialPort's option type leaves out `binding`, but its constructor honours one passed in.
    const port = new SerialPort(options);
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));

    this.#port = port;
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('close', (error: Error | null) => this.#portClosed(port, error ?? new Error('the port was closed by the driver')));
    port.on('end', () => this.#portClosed(port, new Error('the port reported end of input')));
    port.on('error', (error: Error) => this.#portClosed(port, error));
    if (this.#settings.assertDtr) await this.#raiseDtr(port);

    const { baudRate, dataBits, parity, stopBits, flowControl } = this.#settings;
    return { open: true, reason: `port open at ${baudRate} baud, ${dataBits}${parity[0]?.toUpperCase()}${stopBits}, flow control ${flowControl}` };
  }

  protected async release(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (!port) return;

    port.removeAllListeners('data');
    port.removeAllListeners('end');
    port.removeAllListeners('close');
    // Errors of a port being discarded are expected (it may already be gone) and change nothing.
    port.removeAllListeners('error');
    port.on('error', () => undefined);
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port.destroy();
  }

  protected async send(chunk: Buffer): Promise<void> {
    const port = this.#port;
    if (!port) throw new Error(`Serial port ${this.endpoint} closed before ${chunk.length} bytes were sent`);

    await writeToStream(port, chunk);
    // tcdrain: resolves once the driver has sent the bytes, so link-layer timers start on time.
    await new Promise<void>((resolve, reject) => port.drain((error) => (error ? reject(error) : resolve())));
  }

  protected judgeError(error: Error): ErrorVerdict {
    const message = error.message;
    if (/permission denied|access denied/i.test(message)) {
      return {
        reason: `permission denied on ${this.endpoint}: on Linux add the workstation's user to the dialout group; on Windows close the program that holds the port`,
        permanent: true,
      };
    }
    if (error instanceof TypeError || /invalid|not supported|unsupported/i.test(message)) {
      return { reason: `the driver rejected the port settings (${message}): check the baud rate, data bits, parity and stop bits`, permanent: true };
    }
    if (/cannot lock port|resource temporarily unavailable/i.test(message)) {
      return { reason: `${this.endpoint} is in use by another program; close it or choose another port`, permanent: false };
    }
    if (/no such file|not found|cannot find|file not found/i.test(message)) {
      return { reason: `${this.endpoint} does not exist: check the cable or USB adapter and the port name (${message})`, permanent: false };
    }
    return { reason: `${this.endpoint} failed: ${message}`, permanent: false };
  }

  #portClosed(port: SerialPort, error: Error): void {
    if (port !== this.#port) return;
    this.connectionLost(error);
  }

  /** Raises DTR; a port that has no modem lines (a pty, some adapters) keeps working without it. */
  async #raiseDtr(port: SerialPort): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => port.set({ dtr: true }, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      this.log.warn({ err: error }, 'could not raise DTR; the port stays open (expected on virtual and pty ports; set assertDtr to false to skip)');
    }
  }
}
