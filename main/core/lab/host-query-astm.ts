import type { AstmMessage, AstmRecordInput } from '../../../devices/astm/index.js';
import { buildAstmMessage } from '../../../devices/astm/index.js';
import type { AnalyzerProfile } from '../../../devices/profiles/index.js';
import { testCodeKey } from '../../../devices/profiles/index.js';
import { officialName } from '../../../sync/protocol/documents.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { mrnOf } from '../../../sync/protocol/documents.js';
import type { PendingTest, SpecimenOrders } from './host-query-orders.js';
import { formatAstmDateTime } from './host-query-time.js';

/** One specimen an analyzer asked about in a Q record. */
export interface AstmQueriedSpecimen {
  /** Q.3 component 2, the specimen ID; component 1 when component 2 is empty. */
  specimenId: string;
  /**
   * Q.3 components from 3 on: the analyzer's own fields (sequence, rack, position and so on). The
   * response echoes them unchanged in O.4, because analyzers such as the cobas e 411 skip a sample
   * whose echoed fields differ.
   */
  instrumentFields: readonly string[];
  /** Analyzer test codes from Q.5; undefined when Q.5 is empty or ALL. */
  requestedTests: ReadonlySet<string> | undefined;
}

/** The Q records of a message. */
export interface AstmHostQuery {
  specimens: AstmQueriedSpecimen[];
  /** Q records with request information status A (Q.13): the analyzer cancelled its last query. */
  cancellations: number;
  /** Q records that name no single specimen (Q.3 empty or ALL): the response carries no orders for them. */
  withoutSpecimen: number;
}

/** One queried specimen with its Specimen and orders, or undefined orders when the replica has no such accession. */
export interface AstmQueriedOrders {
  queried: AstmQueriedSpecimen;
  orders: SpecimenOrders | undefined;
}

export interface AstmResponseOptions {
  profile: AnalyzerProfile;
  /** Zone of the analyzer's clock, for the timestamps in the response. */
  timeZone: string;
  now: Date;
}

/**
 * LIS2-A2 report types (O.26) in a query response: Q is a response to a query, Y "no order on record for
 * this test" (the specimen is known but nothing on it is pending for this analyzer), Z "no record
 * of this patient" (the accession is unknown).
 */
const REPORT_TYPE = { orders: 'Q', nothingPending: 'Y', unknownSpecimen: 'Z' } as const;

/** LIS2-A2 O.6 priority from FHIR ServiceRequest.priority: S stat, A as soon as possible, R routine. */
const PRIORITY: Readonly<Record<string, string>> = { stat: 'S', asap: 'A', urgent: 'A', routine: 'R' };
const PRIORITY_RANK = ['R', 'A', 'S'];

/** LIS2-A2 P.9 sex from FHIR Patient.gender; anything else is U, unknown. */
const PATIENT_SEX: Readonly<Record<string, string>> = { male: 'M', female: 'F' };

/** Reads the Q records of the messages of one transfer; undefined when there is none. */
export function readAstmHostQuery(messages: readonly AstmMessage[], profile: AnalyzerProfile): AstmHostQuery | undefined {
  const records = messages.flatMap((message) => message.recordsOfType('Q'));
  if (records.length === 0) return undefined;

  const query: AstmHostQuery = { specimens: [], cancellations: 0, withoutSpecimen: 0 };
  const positions = profile.protocol.testCodeComponents;
  for (const record of records) {
    if (record.value('requestInformationStatusCodes').trim().toUpperCase() === 'A') {
      query.cancellations += 1;
      continue;
    }

    const requestedTests = requestedTestsOf(record.field('universalTestId').repeats, positions);
    let named = 0;
    for (const components of record.field('startingRangeIdNumber').repeats) {
      // NOTE: LIS2-A2 puts the patient ID in component 1. Reading it as the specimen ID when
      // component 2 is empty serves analyzers that send one value; an unknown value gets report type Z.
      const specimenId = (components[1] ?? '').trim() || (components[0] ?? '').trim();
      if (specimenId === '' || specimenId.toUpperCase() === 'ALL') continue;
      query.specimens.push({ specimenId: printable(specimenId), instrumentFields: components.slice(2).map(printable), requestedTests });
      named += 1;
    }
    if (named === 0) query.withoutSpecimen += 1;
  }
  return query;
}

function requestedTestsOf(repeats: readonly (readonly string[])[], positions: readonly number[]): ReadonlySet<string> | undefined {
  const keys = new Set<string>();
  for (const components of repeats) {
    if (components.some((component) => component.trim().toUpperCase() === 'ALL')) return undefined;
    const key = testCodeKey(components, positions);
    if (key !== '') keys.add(key);
  }
  return keys.size === 0 ? undefined : keys;
}

/**
 * Builds the host's response to a query, in the delimiters the query declared. It has an H record,
 * then per queried specimen a P record (the patient's id, name, birth date and sex from the
 * replica) and one O record with every pending test as a repetition of O.5, then L with
 * termination code N. Each O record echoes the specimen ID in O.3 and the analyzer's own Q.3
 * fields in O.4. Its O.26 is Q when orders follow, Y when nothing is pending and Z when the
 * specimen is unknown. The response to a query that named no specimen is H and L with
 * termination code I, "no information available from last query".
 */
export function buildAstmQueryResponse(query: AstmMessage, queried: readonly AstmQueriedOrders[], options: AstmResponseOptions): string {
  const records: AstmRecordInput[] = [
    {
      type: 'H',
      fields: {
        senderNameOrId: 'HMS',
        receiverId: query.header.field('senderNameOrId'),
        processingId: query.header.value('processingId').trim() || 'P',
        versionNumber: 'LIS2-A2',
        dateAndTimeOfMessage: formatAstmDateTime(options.now.toISOString(), options.timeZone),
      },
    },
  ];

  queried.forEach((entry, index) => {
    records.push(patientRecord(index + 1, entry.orders?.patient));
    records.push(orderRecord(entry, options));
  });

  records.push({ type: 'L', fields: { sequenceNumber: '1', terminationCode: queried.length === 0 ? 'I' : 'N' } });
  return buildAstmMessage(records, { delimiters: query.delimiters });
}

function patientRecord(sequence: number, patient: FhirResource | undefined): AstmRecordInput {
  if (!patient) return { type: 'P', fields: { sequenceNumber: String(sequence) } };

  const name = officialName(patient);
  const given = (name?.given ?? []).map(printable);
  return {
    type: 'P',
    fields: {
      sequenceNumber: String(sequence),
      practiceAssignedPatientId: printable(mrnOf(patient) || String(patient.id ?? '')),
      patientName: [printable(name?.family ?? ''), given[0] ?? '', given.slice(1).join(' ')],
      birthdate: typeof patient.birthDate === 'string' ? formatAstmDateTime(patient.birthDate, 'UTC') : '',
      patientSex: PATIENT_SEX[String(patient.gender)] ?? 'U',
    },
  };
}

function orderRecord(entry: AstmQueriedOrders, options: AstmResponseOptions): AstmRecordInput {
  const tests = entry.orders?.tests ?? [];
  let reportType: string = REPORT_TYPE.orders;
  if (!entry.orders) reportType = REPORT_TYPE.unknownSpecimen;
  else if (tests.length === 0) reportType = REPORT_TYPE.nothingPending;

  const testCodes = [...new Set(tests.map((test) => test.testCode))];
  const positions = options.profile.protocol.testCodeComponents;
  const authored = tests.map((test) => test.authoredOn).filter((value): value is string => value !== undefined).sort()[0];
  const collected = (entry.orders?.specimen.collection as { collectedDateTime?: unknown } | undefined)?.collectedDateTime;

  return {
    type: 'O',
    fields: {
      sequenceNumber: '1',
      specimenId: entry.queried.specimenId,
      instrumentSpecimenId: entry.queried.instrumentFields.length > 0 ? entry.queried.instrumentFields : '',
      universalTestId: testCodes.length > 0 ? testCodes.map((code) => testIdComponents(code, positions)) : '',
      priority: priorityOf(tests),
      requestedOrderedDateAndTime: formatAstmDateTime(authored, options.timeZone),
      specimenCollectionDateAndTime: typeof collected === 'string' ? formatAstmDateTime(collected, options.timeZone) : '',
      // N: new requests accompanying a new specimen, as the cobas e 411 host manual shows it in query responses.
      actionCode: 'N',
      reportTypes: reportType,
    },
  };
}

/** Places an analyzer test code (a `tests` key, components joined with "^") at the profile's component positions of O.5. */
function testIdComponents(testCode: string, positions: readonly number[]): string[] {
  const components = new Array<string>(Math.max(...positions)).fill('');
  testCode.split('^').forEach((part, index) => {
    const position = positions[index];
    if (position !== undefined) components[position - 1] = part;
  });
  return components;
}

function priorityOf(tests: readonly PendingTest[]): string {
  let rank = 0;
  for (const test of tests) rank = Math.max(rank, PRIORITY_RANK.indexOf(PRIORITY[test.priority ?? 'routine'] ?? 'R'));
  return PRIORITY_RANK[rank] ?? 'R';
}

/** Replaces control characters, which LIS2-A2 cannot carry in a value, with spaces. */
function printable(text: string): string {
  return [...text].map((character) => (character < ' ' || character === '\x7f' ? ' ' : character)).join('');
}

/**
 * Encodes a response for the link: UTF-8 for a profile that sets it, else Latin-1, where a
 * character outside Latin-1 loses its accents or, failing that, becomes "?".
 */
export function encodeAstmResponse(text: string, profile: AnalyzerProfile): Buffer {
  if (profile.protocol.name === 'astm-e1381' && profile.protocol.encoding === 'utf-8') return Buffer.from(text, 'utf8');
  const latin1 = [...text]
    .map((character) => {
      if (character.charCodeAt(0) <= 0xff && character.length === 1) return character;
      const stripped = character.normalize('NFKD').replace(/\p{Mn}/gu, '');
      return [...stripped].every((part) => part.charCodeAt(0) <= 0xff) ? stripped : '?';
    })
    .join('');
  return Buffer.from(latin1, 'latin1');
}
