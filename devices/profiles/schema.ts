import { z } from 'zod';

import { serialLineSettingsShape, reconnectSettingsSchema, tcpClientSettingsSchema, tcpServerSettingsSchema } from '../transport/settings.js';
import { loincCodeProblem } from './loinc.js';

/**
 * The analyzer profile: one JSON file per analyzer connection, shipped with the product or written
 * by hospital IT. It names the transport, the protocol, the analyzer's test codes with their LOINC
 * codes and units, whether the analyzer queries the host for orders, and how its result status
 * codes map to FHIR Observation.status.
 */

const nonEmpty = (what: string) => z.string({ error: `must be ${what}` }).trim().min(1, { error: `must not be empty; set ${what}` });

/**
 * Settings that differ per workstation (the serial port's name, the analyzer's address, the
 * listening port) may be left out of a shipped profile. `transportSettingsOf` reports the missing
 * one when the connection is started.
 */
const profileSerialSchema = z.strictObject({
  kind: z.literal('serial'),
  path: nonEmpty('the port name, such as "COM3" or "/dev/ttyUSB0"').optional(),
  ...serialLineSettingsShape,
  reconnect: reconnectSettingsSchema.optional(),
});

const profileTcpClientSchema = tcpClientSettingsSchema.extend({
  host: tcpClientSettingsSchema.shape.host.optional(),
  port: tcpClientSettingsSchema.shape.port.optional(),
});

const profileTcpServerSchema = tcpServerSettingsSchema.extend({
  port: tcpServerSettingsSchema.shape.port.optional(),
});

export const profileTransportSchema = z.discriminatedUnion('kind', [profileSerialSchema, profileTcpClientSchema, profileTcpServerSchema], {
  error: 'must be "serial", "tcp-client" or "tcp-server"',
});

/** Component positions (1-based) in the test id field whose values, joined with "^", form a key of `tests`. */
const testCodeComponents = z
  .array(z.int({ error: 'must be a component position from 1 to 20' }).min(1).max(20), { error: 'must be a list of component positions, such as [4]' })
  .min(1, { error: 'must name at least one component position' });

const astmProtocolSchema = z.strictObject({
  name: z.literal('astm-e1381'),
  /**
   * Accept received frames longer than the 247 characters E1381 allows, with a warning, because
   * many analyzers send whole messages in one frame; false NAKs them. Frames the host sends always
   * keep the limit. The default matches the ASTM link layer's.
   */
  acceptOversizedFrames: z.boolean({ error: 'must be true or false' }).default(true),
  /** Components of the Universal Test ID (R-3, O-5) that identify the test; E1394 puts the local code in the fourth. */
  testCodeComponents: testCodeComponents.default([4]),
  /**
   * Where the specimen's accession number (the tube's barcode) sits in the O record: LIS2-A2 puts
   * it in O.3, the specimen ID, but some analyzers send their own sample number there and the
   * barcode in O.4 or in another component.
   */
  accession: z
    .strictObject({
      field: z.enum(['O.3', 'O.4'], { error: 'must be "O.3" (specimen ID) or "O.4" (instrument specimen ID)' }).default('O.3'),
      component: z.int({ error: 'must be a component position from 1 to 20' }).min(1).max(20).default(1),
    })
    .default({ field: 'O.3', component: 1 }),
  /** Character encoding of the records: ASTM sets none, and most analyzers send ISO 8859-1. */
  encoding: z.enum(['latin1', 'utf-8'], { error: 'must be "latin1" or "utf-8"' }).default('latin1'),
});

const hl7ProtocolSchema = z.strictObject({
  name: z.literal('hl7-mllp'),
  /** HL7 v2 version the analyzer sends in MSH-12, such as "2.3.1" or "2.5.1". */
  version: z.string({ error: 'must be the HL7 version, such as "2.3.1"' }).regex(/^2\.[1-9](\.\d)?$/, { error: 'must be an HL7 v2 version, such as "2.3.1" or "2.5.1"' }),
  /** Components of OBX-3 that identify the test; the first is the identifier. */
  testCodeComponents: testCodeComponents.default([1]),
});

export const protocolSchema = z.discriminatedUnion('name', [astmProtocolSchema, hl7ProtocolSchema], {
  error: 'must be "astm-e1381" or "hl7-mllp"',
});

/** UCUM units are printable ASCII without spaces. */
const ucumUnit = z
  .string({ error: 'must be a UCUM unit, such as "10*3/uL"' })
  .regex(/^[\x21-\x7e]+$/, { error: 'must be a UCUM unit in printable ASCII without spaces: micro is "u" (umol/L), powers of ten are "10*3"' });

export const testMappingSchema = z
  .strictObject({
    /** LOINC code of the observation; leave it out only with a `note` explaining why. */
    loinc: z
      .string({ error: 'must be a LOINC code, such as "718-7"' })
      .superRefine((code, context) => {
        const problem = loincCodeProblem(code);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** Name shown to users: the LOINC display name, or the analyzer's name for a code with no LOINC. */
    display: nonEmpty('the name shown to users, such as "Hemoglobin [Mass/volume] in Blood"'),
    /** UCUM unit of the stored value; leave it out for qualitative results. */
    unit: ucumUnit.optional(),
    /** The unit as the analyzer writes it, when it differs from `unit` ("U/l", "10E3/uL", a unit-set number). */
    analyzerUnit: z.string().min(1).optional(),
    /** Stored value = analyzer value × factor + offset, for an analyzer that reports in another unit. */
    conversion: z
      .strictObject({
        factor: z.number({ error: 'must be a number' }).positive({ error: 'must be greater than 0' }),
        offset: z.number({ error: 'must be a number' }).default(0),
      })
      .optional(),
    /** Why the mapping is uncertain or has no LOINC code: what the laboratory must confirm. */
    note: z.string().min(1).optional(),
  })
  .superRefine((mapping, context) => {
    if (!mapping.loinc && !mapping.note) {
      context.addIssue({ code: 'custom', path: ['note'], message: 'is required when loinc is left out: say why this code has no LOINC code' });
    }
    if (mapping.conversion && (!mapping.unit || !mapping.analyzerUnit)) {
      context.addIssue({ code: 'custom', path: ['conversion'], message: 'needs both analyzerUnit (what the analyzer sends) and unit (what is stored)' });
    }
  });

const ignoredTestCodeSchema = z.strictObject({
  /** Regular expression (JavaScript syntax) that must match the whole test code key. */
  pattern: z.string().superRefine((pattern, context) => {
    try {
      new RegExp(pattern, 'u');
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
    }
  }),
  /** Reason for not storing results with these codes (they stay in the archived raw message). */
  reason: nonEmpty('the reason these results are not stored'),
});

export const fhirObservationStatuses = ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'] as const;

const resultStatusMappingSchema = z.strictObject({
  status: z.enum(fhirObservationStatuses, { error: `must be a FHIR Observation.status: ${fhirObservationStatuses.join(', ')}` }),
  /** Hold results with this status in the review queue even when nothing else is wrong. */
  review: z.boolean().default(false),
});

const profileId = z
  .string({ error: 'must be the profile id, such as "sysmex-xn550-bench-1"' })
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { error: 'must be 2 to 63 lower-case letters, digits and hyphens, such as "sysmex-xn550-bench-1"' });

export const analyzerProfileSchema = z.strictObject({
  /** Editors' JSON schema reference; ignored. */
  $schema: z.string().optional(),
  /** Connection id: it names the connection in logs, on the status screen and in archived messages. */
  id: profileId,
  /** Name shown to lab staff, such as "Haematology bench 1 (XN-550)". */
  name: nonEmpty('the name shown to lab staff'),
  manufacturer: nonEmpty('the manufacturer'),
  model: nonEmpty('the model'),
  /** Remarks for IT about the profile as a whole: its sources and what could not be confirmed. */
  note: z.string().min(1).optional(),
  transport: profileTransportSchema,
  protocol: protocolSchema,
  /** True when the analyzer requests a specimen's orders from the host (ASTM Q record, HL7 query) before it runs tests. */
  hostQuery: z.boolean({ error: 'must be true or false' }).default(false),
  /** Test code key (see `protocol.testCodeComponents`) → LOINC code, display name and unit. */
  tests: z
    .record(z.string().min(1, { error: 'test codes must not be empty' }), testMappingSchema, { error: 'must be an object of test codes, such as { "WBC": { ... } }' })
    .refine((tests) => Object.keys(tests).length > 0, { error: 'must map at least one test code' }),
  /** Test codes whose results are deliberately not stored, each with its reason. */
  ignoredTestCodes: z.array(ignoredTestCodeSchema).default([]),
  /** Result status code (ASTM R-9, HL7 OBX-11) → FHIR status; overrides the protocol's defaults code by code. */
  resultStatus: z.record(z.string().min(1), resultStatusMappingSchema).default({}),
});

/** A profile as written in a file: defaults may be left out. */
export type AnalyzerProfileInput = z.input<typeof analyzerProfileSchema>;
/** A validated profile with every default filled in. */
export type AnalyzerProfile = z.output<typeof analyzerProfileSchema>;
export type TestMapping = z.output<typeof testMappingSchema>;
export type ProfileProtocol = z.output<typeof protocolSchema>;
export type ProfileTransport = z.output<typeof profileTransportSchema>;
export type FhirObservationStatus = (typeof fhirObservationStatuses)[number];
export type ResultStatusMapping = z.output<typeof resultStatusMappingSchema>;
