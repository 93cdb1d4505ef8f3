import { parseArgs } from 'node:util';

import type { TransportSettingsInput } from '../transport/index.js';
import type { AstmTimingOptions } from './astm-sender.js';
import type { CaptureProtocol } from './capture-types.js';
import type { Fault } from './faults.js';
import { FaultError, parseFault } from './faults.js';
import { SIMULATOR_DEFAULTS } from './simulator-options.js';

/** Invalid command-line arguments; the message names the argument and the fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface SimulateArguments {
  readonly help: false;
  readonly file: string;
  readonly connection: TransportSettingsInput;
  readonly protocol?: CaptureProtocol;
  /** Infinity for `--repeat 0`. */
  readonly repeat: number;
  readonly delayMs: number;
  readonly resend: number;
  readonly openTimeoutMs: number;
  readonly silenceMs: number;
  readonly ackTimeoutMs: number;
  readonly astm: AstmTimingOptions;
  readonly faults: readonly Fault[];
  readonly json: boolean;
  readonly verbose: boolean;
}

const OPTIONS = {
  serial: { type: 'string' },
  baud: { type: 'string' },
  'data-bits': { type: 'string' },
  parity: { type: 'string' },
  'stop-bits': { type: 'string' },
  connect: { type: 'string' },
  listen: { type: 'string' },
  protocol: { type: 'string' },
  repeat: { type: 'string' },
  'delay-ms': { type: 'string' },
  resend: { type: 'string' },
  'open-timeout-ms': { type: 'string' },
  'reply-timeout-ms': { type: 'string' },
  'receive-timeout-ms': { type: 'string' },
  'busy-retry-ms': { type: 'string' },
  'contention-retry-ms': { type: 'string' },
  'ack-timeout-ms': { type: 'string' },
  'silence-ms': { type: 'string' },
  fault: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Parses the arguments of `hms-lab simulate`; throws UsageError naming the argument at fault. */
export function parseSimulateArguments(args: readonly string[]): SimulateArguments | { readonly help: true } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}. Run hms-lab simulate --help for the options`);
  }

  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'Missing the capture FILE: give the path of an ASTM or HL7 capture as the last argument' : `Expected one capture FILE, got ${positionals.length} (${positionals.join(', ')}): give exactly one`);
  }

  const repeat = wholeNumber(values.repeat, '--repeat', SIMULATOR_DEFAULTS.repeat, 'the number of times to send the capture, or 0 to send it until interrupted');
  return {
    help: false,
    file: positionals[0] as string,
    connection: connectionOf(values),
    ...(values.protocol === undefined ? {} : { protocol: protocolOf(values.protocol) }),
    repeat: repeat === 0 ? Infinity : repeat,
    delayMs: milliseconds(values['delay-ms'], '--delay-ms', SIMULATOR_DEFAULTS.delayMs),
    resend: wholeNumber(values.resend, '--resend', SIMULATOR_DEFAULTS.resend, 'how many more times to send a message whose transfer failed'),
    openTimeoutMs: milliseconds(values['open-timeout-ms'], '--open-timeout-ms', SIMULATOR_DEFAULTS.openTimeoutMs),
    silenceMs: milliseconds(values['silence-ms'], '--silence-ms', SIMULATOR_DEFAULTS.silenceMs),
    ackTimeoutMs: milliseconds(values['ack-timeout-ms'], '--ack-timeout-ms', SIMULATOR_DEFAULTS.ackTimeoutMs),
    astm: astmTimingOf(values),
    faults: (values.fault ?? []).map(faultOf),
    json: values.json,
    verbose: values.verbose,
  };
}

function connectionOf(values: Values): TransportSettingsInput {
  const connectionOptions = (['serial', 'connect', 'listen'] as const).filter((name) => values[name] !== undefined);
  if (connectionOptions.length !== 1) {
    throw new UsageError(
      connectionOptions.length === 0
        ? 'Missing the connection: give --serial PATH, --connect HOST:PORT or --listen [HOST:]PORT'
        : `--${connectionOptions.join(' and --')} both set the connection: give only one of --serial, --connect and --listen`,
    );
  }
  const lineOptions = (['baud', 'data-bits', 'parity', 'stop-bits'] as const).filter((name) => values[name] !== undefined);
  if (values.serial === undefined && lineOptions.length > 0) {
    throw new UsageError(`--${lineOptions[0]} applies to a serial port only: remove it, or connect with --serial PATH`);
  }

  if (values.serial !== undefined) return serialSettings(values.serial, values);
  if (values.connect !== undefined) {
    const { host, port } = hostAndPort(values.connect, '--connect', false);
    return { kind: 'tcp-client', host: host as string, port };
  }
  const { host, port } = hostAndPort(values.listen as string, '--listen', true);
  return { kind: 'tcp-server', host: host ?? '127.0.0.1', port };
}

function serialSettings(path: string, values: Values): TransportSettingsInput {
  if (path === '') throw new UsageError('--serial is empty: give the port, such as /dev/ttyUSB0, COM3 or a socat pty link');

  const baudRate = wholeNumber(values.baud, '--baud', 9600, 'the bits per second, such as 9600');
  const dataBits = wholeNumber(values['data-bits'], '--data-bits', 8, 'the data bits: 5, 6, 7 or 8');
  if (dataBits < 5 || dataBits > 8) throw new UsageError(`--data-bits "${dataBits}" is invalid: give 5, 6, 7 or 8`);
  if (baudRate < 50 || baudRate > 4_000_000) throw new UsageError(`--baud "${baudRate}" is out of range: give the analyzer's bits per second, from 50 to 4000000, such as 9600`);

  const parity = values.parity ?? 'none';
  if (parity !== 'none' && parity !== 'even' && parity !== 'odd' && parity !== 'mark' && parity !== 'space') {
    throw new UsageError(`--parity "${parity}" is invalid: give none, even, odd, mark or space`);
  }
  const stopBits = Number(values['stop-bits'] ?? '1');
  if (stopBits !== 1 && stopBits !== 1.5 && stopBits !== 2) throw new UsageError(`--stop-bits "${values['stop-bits']}" is invalid: give 1, 1.5 or 2`);

  // A simulator has no modem lines to honour, and a pty cannot set DTR at all.
  return { kind: 'serial', path, baudRate, dataBits: dataBits as 5 | 6 | 7 | 8, parity, stopBits, assertDtr: false };
}

/** Reads HOST:PORT, [IPv6]:PORT, or (for --listen) a bare PORT. */
function hostAndPort(text: string, name: string, hostOptional: boolean): { host: string | undefined; port: number } {
  const form = hostOptional ? '[HOST:]PORT, such as 127.0.0.1:4001 or 4001' : 'HOST:PORT, such as 127.0.0.1:4001';
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(text);
  if (!match || (!hostOptional && match[1] === undefined)) throw new UsageError(`${name} "${text}" is invalid: give ${form}`);

  const port = Number(match[2]);
  const lowest = hostOptional ? 0 : 1;
  if (port < lowest || port > 65_535) throw new UsageError(`${name} port ${port} is out of range: give a port from ${lowest} to 65535${hostOptional ? ' (0 picks a free one)' : ''}`);
  const host = match[1]?.replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

function protocolOf(text: string): CaptureProtocol {
  if (text === 'astm' || text === 'hl7') return text;
  throw new UsageError(`--protocol "${text}" is invalid: give astm or hl7, or leave it out to detect the protocol from the file`);
}

function astmTimingOf(values: Values): AstmTimingOptions {
  const timing: { -readonly [K in keyof AstmTimingOptions]: AstmTimingOptions[K] } = {};
  if (values['reply-timeout-ms'] !== undefined) timing.replyTimeoutMs = milliseconds(values['reply-timeout-ms'], '--reply-timeout-ms', 0);
  if (values['receive-timeout-ms'] !== undefined) timing.receiveTimeoutMs = milliseconds(values['receive-timeout-ms'], '--receive-timeout-ms', 0);
  if (values['busy-retry-ms'] !== undefined) timing.busyRetryDelayMs = milliseconds(values['busy-retry-ms'], '--busy-retry-ms', 0);
  if (values['contention-retry-ms'] !== undefined) timing.contentionRetryDelayMs = milliseconds(values['contention-retry-ms'], '--contention-retry-ms', 0);
  return timing;
}

function faultOf(spec: string): Fault {
  try {
    return parseFault(spec);
  } catch (error) {
    if (error instanceof FaultError) throw new UsageError(`--fault: ${error.message}`);
    throw error;
  }
}

function wholeNumber(text: string | undefined, name: string, fallback: number, meaning: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} "${text}" is not a whole number: give ${meaning}`);
  return Number(text);
}

function milliseconds(text: string | undefined, name: string, fallback: number): number {
  return wholeNumber(text, name, fallback, 'a whole number of milliseconds, such as 5000');
}
