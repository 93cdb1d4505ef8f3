import type { AckError, FieldValue, Hl7Message, SegmentInput } from '../../../devices/hl7/index.js';
import { buildQueryResponse } from '../../../devices/hl7/index.js';
import type { AnalyzerProfile } from '../../../devices/profiles/index.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { mrnOf, officialName } from '../../../sync/protocol/documents.js';
import { SNOMED } from '../../../sync/protocol/fhir/identifiers.js';
import type { PendingTest, SpecimenOrders } from './host-query-orders.js';
import { formatHl7DateTime } from './host-query-time.js';

/** The query trigger handled here: QBP^Q11, a query by parameter for a specimen's work orders (as in IHE LAW's WOS query). */
const ORDERS_QUERY_TRIGGER = 'Q11';

/** A host query read from an HL7 message: the specimens whose orders it requests, or the reason it is rejected. */
export type Hl7HostQuery =
  | { kind: 'specimens'; specimenIds: string[] }
  | { kind: 'rejected'; ackCode: 'AE' | 'AR'; error: AckError };

/** HL7 table 0001 administrative sex from FHIR Patient.gender; anything else is U, unknown. */
const ADMINISTRATIVE_SEX: Readonly<Record<string, string>> = { male: 'M', female: 'F', other: 'O' };

/** HL7 table 0027 priority from FHIR ServiceRequest.priority. */
const PRIORITY: Readonly<Record<string, string>> = { stat: 'S', asap: 'A', urgent: 'A', routine: 'R' };

/**
 * Reads a QBP^Q11 message: the specimen IDs are the first components of QPD-3's repetitions.
 * Returns undefined for any other message type, and a rejection for another QBP trigger or a
 * query without a specimen ID.
 */
export function readHl7HostQuery(message: Hl7Message): Hl7HostQuery | undefined {
  const type = message.messageType;
  if (type.code !== 'QBP') return undefined;
  if (type.trigger !== ORDERS_QUERY_TRIGGER) {
    return {
      kind: 'rejected',
      ackCode: 'AR',
      error: {
        condition: 201,
        location: { segmentId: 'MSH', sequence: 1, field: 9, component: 2 },
        message: `QBP^${type.trigger} is not supported by this workstation; request a specimen's orders with QBP^Q11 and the specimen ID in QPD-3`,
      },
    };
  }

  const qpd = message.segment('QPD');
  const specimenIds = (qpd?.values(3, 1) ?? []).map((value) => value.trim()).filter((value) => value !== '');
  if (specimenIds.length === 0) {
    return {
      kind: 'rejected',
      ackCode: 'AE',
      error: {
        condition: 101,
        location: { segmentId: 'QPD', sequence: 1, field: 3 },
        message: 'The query names no specimen: put the specimen ID (the tube barcode) in QPD-3',
      },
    };
  }
  return { kind: 'specimens', specimenIds };
}

export interface Hl7ResponseOptions {
  profile: AnalyzerProfile;
  /** Zone of the timestamps in the response. */
  timeZone: string;
  now: Date;
}

/**
 * Builds the RSP^K11 response: MSH, MSA AA, QAK, the echoed QPD, then per specimen with pending
 * orders PID, SPM and one ORC/OBR pair per order. QAK-2 is OK with the order count in QAK-4, or
 * NF when no queried specimen is known or none has an order for this analyzer.
 */
export function buildHl7OrdersResponse(query: Hl7Message, found: readonly SpecimenOrders[], options: Hl7ResponseOptions): Hl7Message {
  const withOrders = found.filter((orders) => orders.tests.length > 0);
  const segments: SegmentInput[] = [];
  withOrders.forEach((orders, index) => {
    segments.push(patientSegment(index + 1, orders.patient));
    segments.push(specimenSegment(index + 1, orders, options.timeZone));
    orders.tests.forEach((test, position) => {
      segments.push(commonOrderSegment(test, options.timeZone));
      segments.push(observationRequestSegment(position + 1, test, orders, options));
    });
  });

  const hitCount = withOrders.reduce((count, orders) => count + orders.tests.length, 0);
  return buildQueryResponse(query, { status: hitCount > 0 ? 'OK' : 'NF', hitCount, segments, now: options.now });
}

/** Builds the RSP that rejects a query, with MSA-1 and QAK-2 set to the rejection's code. */
export function buildHl7QueryRejection(query: Hl7Message, rejection: { ackCode: 'AE' | 'AR'; error: AckError }, now: Date): Hl7Message {
  return buildQueryResponse(query, { status: rejection.ackCode, ackCode: rejection.ackCode, errors: [rejection.error], now });
}

function patientSegment(setId: number, patient: FhirResource | undefined): SegmentInput {
  if (!patient) return { id: 'PID', fields: { 1: String(setId) } };

  const name = officialName(patient);
  const given = name?.given ?? [];
  const mrn = mrnOf(patient);
  const identifier = mrn ? [mrn, '', '', '', 'MR'] : [String(patient.id ?? ''), '', '', '', 'PI'];
  return {
    id: 'PID',
    fields: {
      1: String(setId),
      3: identifier,
      5: [name?.family ?? '', given[0] ?? '', given.slice(1).join(' ')],
      7: typeof patient.birthDate === 'string' ? formatHl7DateTime(patient.birthDate, 'UTC') : '',
      8: ADMINISTRATIVE_SEX[String(patient.gender)] ?? 'U',
    },
  };
}

function specimenSegment(setId: number, orders: SpecimenOrders, timeZone: string): SegmentInput {
  const type = (orders.specimen.type as { coding?: { system?: string; code?: string; display?: string }[]; text?: string } | undefined) ?? {};
  const coding = type.coding?.[0];
  const specimenType: FieldValue = coding?.code ? [coding.code, coding.display ?? type.text ?? '', coding.system === SNOMED ? 'SCT' : ''] : ['', type.text ?? ''];
  const collected = (orders.specimen.collection as { collectedDateTime?: unknown } | undefined)?.collectedDateTime;
  return {
    id: 'SPM',
    fields: {
      1: String(setId),
      2: [orders.accession],
      4: specimenType,
      17: typeof collected === 'string' ? formatHl7DateTime(collected, timeZone) : '',
    },
  };
}

function commonOrderSegment(test: PendingTest, timeZone: string): SegmentInput {
  return {
    id: 'ORC',
    fields: {
      1: 'NW',
      2: placerOrderNumber(test),
      // HL7 table 0038: SC scheduled, HD on hold.
      5: test.status === 'on-hold' ? 'HD' : 'SC',
      9: formatHl7DateTime(test.authoredOn, timeZone),
    },
  };
}

function observationRequestSegment(setId: number, test: PendingTest, orders: SpecimenOrders, options: Hl7ResponseOptions): SegmentInput {
  const collected = (orders.specimen.collection as { collectedDateTime?: unknown } | undefined)?.collectedDateTime;
  return {
    id: 'OBR',
    fields: {
      1: String(setId),
      2: placerOrderNumber(test),
      4: universalServiceId(test, options.profile.protocol.testCodeComponents),
      5: PRIORITY[test.priority ?? 'routine'] ?? 'R',
      7: typeof collected === 'string' ? formatHl7DateTime(collected, options.timeZone) : '',
    },
  };
}

/** ORC-2 and OBR-2: the ServiceRequest's id, which results that quote it lead back to. */
function placerOrderNumber(test: PendingTest): string {
  return test.serviceRequestId.slice(test.serviceRequestId.indexOf('/') + 1);
}

/**
 * OBR-4: the analyzer's test code at the profile's component positions. With the default
 * position 1 the field is a full CWE: code, name, and the LOINC code as the alternate identifier.
 */
function universalServiceId(test: PendingTest, positions: readonly number[]): FieldValue {
  const components = new Array<string>(Math.max(...positions)).fill('');
  test.testCode.split('^').forEach((part, index) => {
    const position = positions[index];
    if (position !== undefined) components[position - 1] = part;
  });
  if (positions.length !== 1 || positions[0] !== 1) return components;
  return test.loinc ? [test.testCode, test.display, '', test.loinc, test.display, 'LN'] : [test.testCode, test.display];
}
