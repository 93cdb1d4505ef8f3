import type { AckError } from './ack.js';
import type { Hl7Message } from './message.js';

export interface HeaderCheckOptions {
  /** Message types this receiver processes, as `CODE^TRIGGER` (e.g. `ORU^R01`) or `CODE` for any trigger. */
  messageTypes?: readonly string[];
}

/**
 * Checks the MSH fields a receiver needs before it can process and acknowledge a message.
 * MSH-9, MSH-10, MSH-11 and MSH-12 must be present (HL7 error 101). The message type must be one
 * the receiver processes (error 200 for the message code, 201 for the trigger event). Returns one
 * error per problem, ready for `buildAck`, or [] when the header is fine. Errors 200 and 201 call
 * for AR, the others for AE.
 */
export function checkHeader(message: Hl7Message, options: HeaderCheckOptions = {}): AckError[] {
  const errors: AckError[] = [];
  const required: Array<[field: number, name: string]> = [
    [9, 'message type'],
    [10, 'message control ID'],
    [11, 'processing ID'],
    [12, 'version ID'],
  ];
  for (const [field, name] of required) {
    if (message.header.field(field) === '') {
      errors.push({ condition: 101, location: { segmentId: 'MSH', sequence: 1, field }, message: `MSH-${field} (${name}) is empty` });
    }
  }

  const allowed = options.messageTypes;
  const type = message.messageType;
  if (allowed === undefined || type.code === '') return errors;
  const full = `${type.code}^${type.trigger}`;
  if (allowed.includes(full) || allowed.includes(type.code)) return errors;
  const codeKnown = allowed.some((entry) => entry.split('^')[0] === type.code);
  errors.push(
    codeKnown
      ? { condition: 201, location: { segmentId: 'MSH', sequence: 1, field: 9, component: 2 }, message: `Trigger event ${type.trigger || '(empty)'} of ${type.code} is not processed here` }
      : { condition: 200, location: { segmentId: 'MSH', sequence: 1, field: 9, component: 1 }, message: `Message type ${type.code} is not processed here` },
  );
  return errors;
}
