import { encodeMessageFrames } from '../astm/index.js';
import type { Capture, CaptureProtocol } from './capture-types.js';

/**
 * Faults the simulator can inject, each once, into the first attempt of one message:
 * - `bad-checksum` (ASTM): frame N goes out with a wrong checksum; the host must NAK it.
 * - `lost-ack`: the host's ACK (of frame N for ASTM) is ignored and the sender's timeout runs.
 * - `timeout`: the simulator stops before frame N (ASTM) or halfway through the MLLP block (HL7)
 *   and stays silent.
 * - `interrupt-eot` (ASTM): EOT goes out instead of frame N.
 * - `interrupt-close`: the connection is closed before frame N (ASTM) or halfway through the
 *   block (HL7), then opened again.
 * - `broken-mllp` (HL7): the block goes out without its end (FS CR) or without its start (VT).
 */
export type FaultKind = 'bad-checksum' | 'lost-ack' | 'timeout' | 'interrupt-eot' | 'interrupt-close' | 'broken-mllp';

export const FAULT_KINDS: readonly FaultKind[] = ['bad-checksum', 'lost-ack', 'timeout', 'interrupt-eot', 'interrupt-close', 'broken-mllp'];

const PROTOCOLS: Record<FaultKind, readonly CaptureProtocol[]> = {
  'bad-checksum': ['astm'],
  'lost-ack': ['astm', 'hl7'],
  timeout: ['astm', 'hl7'],
  'interrupt-eot': ['astm'],
  'interrupt-close': ['astm', 'hl7'],
  'broken-mllp': ['hl7'],
};

/** A fault as requested; a missing frame takes the kind's default once the capture is known. */
export interface Fault {
  readonly kind: FaultKind;
  /** The message it hits, counted from 1 over the whole run, repeats included. */
  readonly message: number;
  /** ASTM: the frame it hits, from 1. */
  readonly frame?: number;
  /** `broken-mllp`: the part of the block left out. */
  readonly part?: 'start' | 'end';
}

/** A fault checked against the capture, with its frame filled in for ASTM. */
export interface PlannedFault extends Fault {
  /** ASTM: frames of the message it hits. */
  readonly frames?: number;
}

/** A fault specification or combination that cannot work; the message names it and the fix. */
export class FaultError extends Error {
  override readonly name = 'FaultError';
}

/**
 * Parses `KIND[:key=value,...]` with the keys `message`, `frame` and `part`, such as
 * `bad-checksum:frame=2` or `broken-mllp:part=start,message=3`.
 */
export function parseFault(spec: string): Fault {
  const [kindText = '', parameters] = splitOnce(spec, ':');
  const kind = FAULT_KINDS.find((candidate) => candidate === kindText);
  if (!kind) throw new FaultError(`Unknown fault "${kindText}" in "${spec}": use one of ${FAULT_KINDS.join(', ')}`);

  let fault: { kind: FaultKind; message: number; frame?: number; part?: 'start' | 'end' } = { kind, message: 1 };
  for (const parameter of parameters === undefined || parameters === '' ? [] : parameters.split(',')) {
    const [key, value = ''] = splitOnce(parameter, '=');
    if (key === 'message') fault = { ...fault, message: positiveWholeNumber(value, spec, 'message') };
    else if (key === 'frame') fault = { ...fault, frame: positiveWholeNumber(value, spec, 'frame') };
    else if (key === 'part' && (value === 'start' || value === 'end')) fault = { ...fault, part: value };
    else if (key === 'part') throw new FaultError(`Invalid part "${value}" in fault "${spec}": use part=end (leave out FS CR) or part=start (leave out VT)`);
    else throw new FaultError(`Unknown setting "${key}" in fault "${spec}": use message=M, frame=N (ASTM) or part=start|end (broken-mllp)`);
  }

  if (fault.part !== undefined && kind !== 'broken-mllp') throw new FaultError(`Fault "${spec}": part= applies to broken-mllp only; remove it`);
  return fault;
}

/**
 * Checks faults against the capture and the number of messages the run sends (Infinity when it
 * repeats until stopped), and fills in each ASTM fault's frame: frame 1 for `bad-checksum` and
 * `lost-ack`, the last frame for the others, so that an interrupted message always misses its end.
 */
export function planFaults(faults: readonly Fault[], capture: Capture, totalMessages: number): Map<number, PlannedFault> {
  const planned = new Map<number, PlannedFault>();

  for (const fault of faults) {
    const name = describeFault(fault);
    if (!PROTOCOLS[fault.kind].includes(capture.protocol)) {
      throw new FaultError(`Fault ${name} does not apply to ${capture.protocol.toUpperCase()} captures: ${capture.protocol === 'hl7' ? 'use lost-ack, timeout, interrupt-close or broken-mllp' : 'use bad-checksum, lost-ack, timeout, interrupt-eot or interrupt-close'}`);
    }
    if (fault.message > totalMessages) {
      throw new FaultError(`Fault ${name} hits message ${fault.message}, but the run sends ${totalMessages}: choose a message from 1 to ${totalMessages} or raise the repeat count`);
    }
    if (planned.has(fault.message)) {
      throw new FaultError(`Message ${fault.message} has two faults: inject one fault per message`);
    }
    planned.set(fault.message, capture.protocol === 'astm' ? withFrame(fault, capture, name) : withoutFrame(fault, name));
  }
  return planned;
}

export function describeFault(fault: Fault): string {
  const settings = [`message=${fault.message}`];
  if (fault.frame !== undefined) settings.push(`frame=${fault.frame}`);
  if (fault.part !== undefined) settings.push(`part=${fault.part}`);
  return `${fault.kind}:${settings.join(',')}`;
}

function withFrame(fault: Fault, capture: Capture, name: string): PlannedFault {
  const message = capture.messages[(fault.message - 1) % capture.messages.length];
  const frames = message ? encodeMessageFrames(message.payload).length : 1;
  const frame = fault.frame ?? (fault.kind === 'bad-checksum' || fault.kind === 'lost-ack' ? 1 : frames);
  if (frame > frames) {
    throw new FaultError(`Fault ${name} hits frame ${frame}, but message ${fault.message} has ${frames} frame(s): choose a frame from 1 to ${frames}`);
  }
  return { ...fault, frame, frames };
}

function withoutFrame(fault: Fault, name: string): PlannedFault {
  if (fault.frame !== undefined) throw new FaultError(`Fault ${name}: frame= applies to ASTM only; remove it`);
  return fault.kind === 'broken-mllp' ? { ...fault, part: fault.part ?? 'end' } : fault;
}

function positiveWholeNumber(value: string, spec: string, key: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) throw new FaultError(`Invalid ${key}="${value}" in fault "${spec}": give a whole number from 1, such as ${key}=2`);
  return number;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
