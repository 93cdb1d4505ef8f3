import type { AnalyzerProfile } from '../profiles/index.js';
import { ResultMappingError } from './errors.js';
import { checkTimeZone } from './time-zone.js';

/** The inputs of a mapping besides the parsed message. */
export interface MappingContext {
  /**
   * The raw message exactly as archived: for ASTM the received frames (`ReceivedAstmMessage.raw`),
   * for HL7 the MLLP payload. Its SHA-256 is the root of every id, so storing the same message
   * twice gives the same Observation and DiagnosticReport ids.
   */
  readonly raw: Uint8Array;
  /**
   * The 0-based index of this message in `raw`, for an ASTM transfer that carries several (two H
   * records). It is part of every id, so two messages of one transfer never share an id.
   */
  readonly part?: number;
  /** The analyzer's profile; without one every test is unmapped and waits for review. */
  readonly profile?: AnalyzerProfile;
  /**
   * Time zone of analyzer timestamps that carry no offset (ASTM always, HL7 often): an IANA name
   * such as "Europe/Berlin", "UTC", or a fixed offset such as "+02:00". Pass the workstation's
   * zone in production and a fixed one in tests.
   */
  readonly timeZone: string;
  /**
   * Flags that hold a result for review as critical in addition to LL, HH and AA.
   * NOTE: analyzer profiles cannot declare critical flags yet (their schema has no such field), so
   * the caller passes them here until the profile schema carries them.
   */
  readonly criticalFlags?: readonly string[];
  /**
   * The ASTM field that carries the accession, overriding the profile's `protocol.accession.field`
   * (for a message mapped without a profile). The component is the profile's, else the first.
   */
  readonly astmAccessionField?: 'O.3' | 'O.4';
}

/** Rejects a context the mapping cannot work with, naming the field and the fix. */
export function checkContext(context: MappingContext, protocol: 'astm-e1381' | 'hl7-mllp'): void {
  checkTimeZone(context.timeZone);

  const profile = context.profile;
  if (profile && profile.protocol.name !== protocol) {
    throw new ResultMappingError(
      'profile-protocol-mismatch',
      `Profile "${profile.id}" is for ${profile.protocol.name} but the message is ${protocol}: use the profile of the analyzer that sent the message`,
    );
  }
  if (context.part !== undefined && (!Number.isInteger(context.part) || context.part < 0)) {
    throw new ResultMappingError('invalid-part', `part ${context.part} is not a message index: pass 0 for the first message of the raw bytes, 1 for the second`);
  }
}
