/**
 * HL7 v2.x for lab analyzers: parsing and serializing messages, MLLP framing, acknowledgments,
 * and typed readers for the segments a lab interface uses. Plain Node, no I/O: transports feed
 * bytes in and write the bytes this module returns. See README.md beside this file.
 */

// Parsing
export { parseMessage } from './parser.js';
export type { ParseOptions } from './parser.js';
export { parseMessages } from './batch.js';
export type { ParsedMessages } from './batch.js';
export { Hl7Message } from './message.js';
export type { MessageType } from './message.js';
export { Hl7Segment } from './segment.js';
export { parsePath } from './path.js';
export type { FieldPath } from './path.js';
export type { Delimiters } from './delimiters.js';
export { DEFAULT_DELIMITERS } from './delimiters.js';
export { SUPPORTED_CHARACTER_SETS, encodeText } from './charset.js';
export type { Encoding } from './charset.js';
export { escapeValue, unescapeValue } from './escape.js';

// Errors and warnings
export { Hl7Error, HL7_ERROR_CONDITIONS } from './errors.js';
export type { Hl7ErrorCondition, Hl7ErrorKind, Hl7ErrorLocation, Hl7Warning, Hl7WarningCode } from './errors.js';

// Building messages
export { buildMessage, buildMessageText, buildSegment, encoded, repeated } from './builder.js';
export type { ComponentValue, EncodedText, FieldValue, LeafValue, RepeatedValue, RepetitionValue, SegmentFields, SegmentInput } from './builder.js';
export { ackForError, acknowledgmentRequest, buildAck, wantsApplicationAck, wantsCommitAck } from './ack.js';
export type { AckCode, AckError, AckOptions, AcknowledgmentRequest, ResponseHeaderOptions } from './ack.js';
export { checkHeader } from './header-check.js';
export type { HeaderCheckOptions } from './header-check.js';
export { buildQueryResponse } from './query-response.js';
export type { QueryResponseOptions } from './query-response.js';

// MLLP
export { DEFAULT_MAX_MESSAGE_BYTES, MllpDecoder, frameMllp, readMllpStream } from './mllp.js';
export type { MllpDecoderOptions, MllpEvent } from './mllp.js';

// Typed readers
export { readHeader } from './readers/header.js';
export type { MessageHeader } from './readers/header.js';
export { readPatient } from './readers/patient.js';
export type { Patient, PatientIdentifier, PersonName } from './readers/patient.js';
export { readNote, readObservation, readReferenceRange } from './readers/observation.js';
export type { Comparator, Note, Observation, ObservationValue, ReferenceRange } from './readers/observation.js';
export { readLabMessage } from './readers/lab-message.js';
export type { CommonOrder, LabMessage, ObservationRequest, OrderGroup, Specimen } from './readers/lab-message.js';
export { readQuery, readQueryResponse } from './readers/query.js';
export type { QueryRequest, QueryResponse } from './readers/query.js';
export { readAcknowledgment } from './readers/acknowledgment.js';
export type { Acknowledgment, AcknowledgmentError } from './readers/acknowledgment.js';
export { readCoded } from './readers/coded.js';
export type { CodedElement } from './readers/coded.js';
