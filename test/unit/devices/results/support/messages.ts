import type { AstmMessage } from '../../../../../devices/astm/index.js';
import { parseAstmMessage } from '../../../../../devices/astm/index.js';
import type { Hl7Message } from '../../../../../devices/hl7/index.js';
import { parseMessage } from '../../../../../devices/hl7/index.js';
import type { AnalyzerProfile } from '../../../../../devices/profiles/index.js';
import { validateProfileJson } from '../../../../../devices/profiles/index.js';
import type { LabResultMapping, MappingContext } from '../../../../../devices/results/index.js';
import { mapAstmMessage, mapHl7Message } from '../../../../../devices/results/index.js';

/** Parses an ASTM message from records given one per line, ended by CR as on the wire. */
export function astmMessage(...records: string[]): AstmMessage {
  return parseAstmMessage(`${records.join('\r')}\r`);
}

/** Parses an HL7 message from segments given one per line, ended by CR as on the wire. */
export function hl7Message(...segments: string[]): Hl7Message {
  return parseMessage(`${segments.join('\r')}\r`);
}

/** Maps an ASTM message given as records; the raw bytes are the records' text. */
export function mapAstmRecords(records: readonly string[], context: Partial<MappingContext> = {}): LabResultMapping {
  const text = `${records.join('\r')}\r`;
  return mapAstmMessage(parseAstmMessage(text), { raw: Buffer.from(text, 'latin1'), timeZone: 'UTC', ...context });
}

/** Maps an HL7 message given as segments; the raw bytes are the segments' text. */
export function mapHl7Segments(segments: readonly string[], context: Partial<MappingContext> = {}): LabResultMapping {
  const text = `${segments.join('\r')}\r`;
  return mapHl7Message(parseMessage(text), { raw: Buffer.from(text, 'utf8'), timeZone: 'UTC', ...context });
}

/** Validates a profile written in a test, failing the test when the JSON is not a valid profile. */
export function testProfile(json: Record<string, unknown>): AnalyzerProfile {
  const result = validateProfileJson({ name: 'Test analyzer', manufacturer: 'Test', model: 'T-1', transport: { kind: 'tcp-server' }, hostQuery: false, ...json });
  if (!result.ok) throw new Error(`test profile is invalid: ${JSON.stringify(result.issues)}`);
  return result.profile;
}

/** A chemistry analyzer over ASTM with a unit conversion, an ignored code and a status override. */
export const CHEMISTRY_PROFILE = testProfile({
  id: 'test-chemistry',
  protocol: { name: 'astm-e1381' },
  tests: {
    GLU: { loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mmol/L', analyzerUnit: 'mg/dL', conversion: { factor: 0.0555 } },
    NA: { loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', analyzerUnit: 'mmol/l' },
    HIV: { loinc: '7917-8', display: 'HIV 1 Ab [Presence] in Serum' },
  },
  ignoredTestCodes: [{ pattern: 'QC.*', reason: 'quality-control channels' }],
  resultStatus: { Z: { status: 'final', review: false } },
});
