import type { Logger } from '../../main/core/logging/logger.js';
import type { TransportSettingsInput } from '../transport/index.js';
import type { AstmTimingOptions } from './astm-sender.js';
import type { Capture } from './capture-types.js';
import type { Fault } from './faults.js';

export interface SimulatorOptions {
  /** The messages to replay, from `readCapture`. */
  capture: Capture;
  /** Where to send them: a serial port, a host to connect to (`tcp-client`) or a port to listen on (`tcp-server`). */
  connection: TransportSettingsInput;
  /** The connection's id in log lines. Default `analyzer-simulator`. */
  id?: string;
  /** Times the whole capture is sent; Infinity sends it until `stop()`. Default 1. */
  repeat?: number;
  /** Wait between two messages, in ms. Default 0. */
  delayMs?: number;
  /** Further attempts for a message whose transfer failed. HL7 messages the host answered AE or AR are not resent. Default 0. */
  resend?: number;
  faults?: readonly Fault[];
  /** Wait for the connection to open before each message, in ms. Default 30,000. */
  openTimeoutMs?: number;
  /** How long the `timeout` fault stays silent, in ms. Default 31,000: longer than the 30 s receive timeout of E1381. */
  silenceMs?: number;
  /** HL7: wait for the ACK of each message, in ms. Default 30,000. */
  ackTimeoutMs?: number;
  /** ASTM: E1381 timings and limits, the standard's values by default. */
  astm?: AstmTimingOptions;
  /** Logs starts, stops and failed messages with ids and counts; silent by default. */
  logger?: Logger;
}

export const SIMULATOR_DEFAULTS = {
  id: 'analyzer-simulator',
  repeat: 1,
  delayMs: 0,
  resend: 0,
  openTimeoutMs: 30_000,
  silenceMs: 31_000,
  ackTimeoutMs: 30_000,
} as const;

export type ResolvedSimulatorOptions = Required<Omit<SimulatorOptions, 'logger' | 'faults' | 'astm'>> & Pick<SimulatorOptions, 'astm'>;

/** Fills in the defaults; throws RangeError naming an option whose value cannot work. */
export function resolveSimulatorOptions(options: SimulatorOptions): ResolvedSimulatorOptions {
  const resolved: ResolvedSimulatorOptions = {
    capture: options.capture,
    connection: options.connection,
    id: options.id ?? SIMULATOR_DEFAULTS.id,
    repeat: options.repeat ?? SIMULATOR_DEFAULTS.repeat,
    delayMs: options.delayMs ?? SIMULATOR_DEFAULTS.delayMs,
    resend: options.resend ?? SIMULATOR_DEFAULTS.resend,
    openTimeoutMs: options.openTimeoutMs ?? SIMULATOR_DEFAULTS.openTimeoutMs,
    silenceMs: options.silenceMs ?? SIMULATOR_DEFAULTS.silenceMs,
    ackTimeoutMs: options.ackTimeoutMs ?? SIMULATOR_DEFAULTS.ackTimeoutMs,
    astm: options.astm,
  };

  if (!(resolved.repeat === Infinity || (Number.isInteger(resolved.repeat) && resolved.repeat >= 1))) {
    throw new RangeError(`Simulator option repeat is ${resolved.repeat}: set a whole number of at least 1, or Infinity to send until stopped`);
  }
  if (!(Number.isInteger(resolved.resend) && resolved.resend >= 0)) {
    throw new RangeError(`Simulator option resend is ${resolved.resend}: set a whole number of at least 0`);
  }
  for (const name of ['delayMs', 'openTimeoutMs', 'silenceMs', 'ackTimeoutMs'] as const) {
    const value = resolved[name];
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`Simulator option ${name} is ${value}: set a number of milliseconds of at least 0`);
  }
  return resolved;
}
