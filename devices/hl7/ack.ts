import { randomBytes } from 'node:crypto';

import { buildMessage, encoded } from './builder.js';
import type { FieldValue, SegmentFields, SegmentInput } from './builder.js';
import { DEFAULT_DELIMITERS } from './delimiters.js';
import { HL7_ERROR_CONDITIONS } from './errors.js';
import type { Hl7Error, Hl7ErrorCondition, Hl7ErrorLocation } from './errors.js';
import type { Hl7Message } from './message.js';

/** MSA-1: application accept, error, reject (original and enhanced mode) and commit accept, error, reject. */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** One ERR segment. */
export interface AckError {
  condition: Hl7ErrorCondition;
  location?: Hl7ErrorLocation;
  /** ERR-4: E (error, the default), W (warning) or I (information). */
  severity?: 'E' | 'W' | 'I';
  /** Text for the sender's operators (ERR-8, or MSA-3 before v2.5). Never patient data. */
  message?: string;
}

export interface ResponseHeaderOptions {
  /** MSH-3 of the response: this interface's application. */
  sendingApplication?: FieldValue;
  /** MSH-4 of the response: this interface's facility. */
  sendingFacility?: FieldValue;
  /** MSH-7 time; the current time when absent. */
  now?: Date;
  /** MSH-10 of the response; a new unique ID when absent. */
  controlId?: string;
  /** MSH-12 when the inbound message could not be read; 2.5.1 when absent. */
  fallbackVersion?: string;
}

export interface AckOptions extends ResponseHeaderOptions {
  code: AckCode;
  errors?: readonly AckError[];
}

/**
 * Builds the acknowledgment of `inbound`: MSH, MSA and one ERR per error. The header follows the
 * inbound message: the same delimiters (MSH-2 echoed unchanged), MSH-5/6 from its MSH-3/4, MSH-9
 * `ACK^<trigger>^ACK`, its processing ID, version and character set, and MSA-2 = its MSH-10.
 * `inbound` is undefined when not even its MSH could be read; then MSA-2 is empty and the header
 * uses the default delimiters.
 *
 * NOTE: the sequence number protocol (MSH-13, MSA-4) is not implemented; MSA-4 stays empty.
 */
export function buildAck(inbound: Hl7Message | undefined, options: AckOptions): Hl7Message {
  const errors = options.errors ?? [];
  const version = inbound?.version || options.fallbackVersion || '2.5.1';
  const trigger = inbound?.messageType.trigger ?? '';
  const messageType = trigger === '' ? 'ACK' : versionAtLeast(version, [2, 3, 1]) ? ['ACK', trigger, 'ACK'] : ['ACK', trigger];

  const msa: Record<number, FieldValue> = { 1: options.code, 2: encoded(inbound?.header.field(10) ?? '') };
  const firstMessage = errors.find((error) => error.message !== undefined)?.message;
  if (!versionAtLeast(version, [2, 5]) && options.code !== 'AA' && options.code !== 'CA' && firstMessage !== undefined) msa[3] = firstMessage;

  const delimiters = inbound?.delimiters ?? DEFAULT_DELIMITERS;
  const segments: SegmentInput[] = [
    responseHeader(inbound, messageType, version, options),
    { id: 'MSA', fields: msa },
    ...errors.map((error) => errorSegment(error, version, delimiters.subcomponent !== undefined)),
  ];
  return buildMessage(segments, { delimiters, encoding: inbound?.encoding ?? 'utf-8' });
}

/** Builds the AE or AR acknowledgment for a message the parser or decoder rejected. */
export function ackForError(error: Hl7Error, options: ResponseHeaderOptions = {}): Hl7Message {
  const location = error.location;
  return buildAck(error.header, {
    ...options,
    code: error.ackCode,
    errors: [{ condition: error.condition, ...(location === undefined ? {} : { location }), message: error.message }],
  });
}

/** Acknowledgments the sender requests in MSH-15 and MSH-16 (HL7 table 0155). */
export interface AcknowledgmentRequest {
  /** Original mode when both fields are empty: one application acknowledgment, always. */
  mode: 'original' | 'enhanced';
  /** MSH-15: AL, NE, ER or SU. */
  acceptAcknowledgment: string;
  /** MSH-16: AL, NE, ER or SU. */
  applicationAcknowledgment: string;
}

/** Reads the acknowledgments a received message requests in MSH-15 and MSH-16. */
export function acknowledgmentRequest(message: Hl7Message): AcknowledgmentRequest {
  const acceptAcknowledgment = message.header.value(15).toUpperCase();
  const applicationAcknowledgment = message.header.value(16).toUpperCase();
  const mode = acceptAcknowledgment === '' && applicationAcknowledgment === '' ? 'original' : 'enhanced';
  return { mode, acceptAcknowledgment, applicationAcknowledgment };
}

/** Returns whether the sender requests a commit (CA/CE/CR) acknowledgment for this outcome. */
export function wantsCommitAck(request: AcknowledgmentRequest, accepted: boolean): boolean {
  return request.mode === 'enhanced' && wants(request.acceptAcknowledgment, accepted);
}

/** Returns whether the sender requests an application (AA/AE/AR) acknowledgment for this outcome. */
export function wantsApplicationAck(request: AcknowledgmentRequest, accepted: boolean): boolean {
  return request.mode === 'original' || wants(request.applicationAcknowledgment, accepted);
}

function wants(condition: string, accepted: boolean): boolean {
  // An empty field in enhanced mode means AL (HL7 v2 chapter 2, MSH-15 and MSH-16).
  if (condition === '' || condition === 'AL') return true;
  if (condition === 'ER') return !accepted;
  if (condition === 'SU') return accepted;
  return false;
}

/** Builds the MSH of a response to `inbound` (an ACK or a query response). */
export function responseHeader(inbound: Hl7Message | undefined, messageType: FieldValue, version: string, options: ResponseHeaderOptions): SegmentInput {
  const header = inbound?.header;
  const fields: Record<number, FieldValue> = {
    3: options.sendingApplication ?? '',
    4: options.sendingFacility ?? '',
    5: encoded(header?.field(3) ?? ''),
    6: encoded(header?.field(4) ?? ''),
    7: formatTimestamp(options.now ?? new Date()),
    9: messageType,
    10: options.controlId ?? newControlId(),
    11: header === undefined || header.field(11) === '' ? 'P' : encoded(header.field(11)),
    12: header === undefined || header.field(12) === '' ? version : encoded(header.field(12)),
  };
  if (header !== undefined && header.field(18) !== '') fields[18] = encoded(header.field(18));
  return { id: 'MSH', fields };
}

/**
 * Builds an ERR segment in the form of `version`: ERR-2 (location), ERR-3 (HL7 table 0357 code),
 * ERR-4 (severity) and ERR-8 (message) from v2.5 on, ERR-1 (ELD) before.
 */
export function errorSegment(error: AckError, version: string, subcomponents: boolean): SegmentInput {
  return { id: 'ERR', fields: versionAtLeast(version, [2, 5]) ? errFields(error) : legacyErrFields(error, subcomponents) };
}

function errFields(error: AckError): SegmentFields {
  const location = error.location;
  const fields: Record<number, FieldValue> = {
    3: [String(error.condition), HL7_ERROR_CONDITIONS[error.condition], 'HL70357'],
    4: error.severity ?? 'E',
  };
  if (location !== undefined) fields[2] = locationComponents(location);
  if (error.message !== undefined) fields[8] = error.message;
  return fields;
}

/** ERR-1 (ELD) of v2.1 to v2.4: segment ID ^ sequence ^ field ^ code&text&table. */
function legacyErrFields(error: AckError, subcomponents: boolean): SegmentFields {
  const location = error.location;
  const code = subcomponents ? [String(error.condition), HL7_ERROR_CONDITIONS[error.condition], 'HL70357'] : String(error.condition);
  return {
    1: [location?.segmentId ?? '', location === undefined ? '' : String(location.sequence), location?.field === undefined ? '' : String(location.field), code],
  };
}

function locationComponents(location: Hl7ErrorLocation): string[] {
  const numbers = [location.sequence, location.field, location.repetition, location.component, location.subcomponent];
  return [location.segmentId, ...numbers.map((number) => (number === undefined ? '' : String(number)))];
}

/** Formats HL7 DTM to the second with the local UTC offset, e.g. 20240101120000+0100. */
export function formatTimestamp(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const absolute = Math.abs(offsetMinutes);
  return `${pad(date.getFullYear(), 4)}${pad(date.getMonth() + 1)}${pad(date.getDate())}${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}${sign}${pad(Math.floor(absolute / 60))}${pad(absolute % 60)}`;
}

/** Creates a message control ID of 20 characters, the maximum length of MSH-10 before v2.7. */
export function newControlId(): string {
  return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`.slice(0, 20);
}

/** Compares an HL7 version such as 2.3.1 with a minimum given as numbers; an unreadable version counts as new. */
export function versionAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10));
  if (parts.some((part) => Number.isNaN(part))) return true;
  for (const [index, required] of minimum.entries()) {
    const part = parts[index] ?? 0;
    if (part !== required) return part > required;
  }
  return true;
}
