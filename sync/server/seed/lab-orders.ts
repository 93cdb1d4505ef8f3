import type { FhirResource } from '../../protocol/documents.js';
import { ACCESSION_SYSTEM, GENERATED_TAG, LOINC, SNOMED } from '../../protocol/fhir/identifiers.js';
import { HOSPITAL_LABORATORY, LABORATORY_PROCEDURE } from '../../protocol/fhir/laboratory.js';
import { admissionEncounterId } from './patients.js';
import type { Performer } from './vitals.js';

/**
 * The demo hospital's laboratory: one department that lab bench workstations enrol to, and open
 * lab orders for some patients of ward 4A, each with one collected Specimen that has not yet
 * reached the lab.
 */

export const SEEDED_LAB_DEPARTMENT = { id: 'lab-core', code: 'LAB', name: 'Core Laboratory' } as const;

/** LOINC panels the demo orders. */
export const LAB_PANELS = {
  cbcWithDifferential: { code: '57021-8', display: 'CBC W Auto Differential panel - Blood' },
  cbc: { code: '58410-2', display: 'CBC panel - Blood by Automated count' },
  basicMetabolic: { code: '51990-0', display: 'Basic metabolic panel - Blood' },
  comprehensiveMetabolic: { code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' },
} as const;

const SPECIMEN_TYPES = {
  blood: { system: SNOMED, code: '119297000', display: 'Blood specimen' },
  plasma: { system: SNOMED, code: '119361006', display: 'Plasma specimen' },
  serum: { system: SNOMED, code: '119364003', display: 'Serum specimen' },
} as const;

export interface SeededLabOrder {
  /** The accession number on the Specimen's label. */
  accession: string;
  panel: (typeof LAB_PANELS)[keyof typeof LAB_PANELS];
  specimenType: keyof typeof SPECIMEN_TYPES;
  /** Position of the patient among ward 4A's patients in Patient.id order. */
  patientPosition: number;
  /** Hours before the seed's clock that the order was placed; the tube was drawn 30 minutes later. */
  orderedHoursAgo: number;
}

/**
 * The seeded orders. Their accession numbers are the specimen ids in the O records of analyzer
 * captures in test/fixtures/astm: Horiba Pentra XLR, Arkray Spotchem EL through its converter,
 * Sysmex XN-550 and Roche cobas c 311. A replayed capture therefore finds its order.
 */
export const SEEDED_LAB_ORDERS: readonly SeededLabOrder[] = [
  { accession: 'S1234', panel: LAB_PANELS.cbcWithDifferential, specimenType: 'blood', patientPosition: 0, orderedHoursAgo: 3 },
  { accession: '1DC042FP', panel: LAB_PANELS.basicMetabolic, specimenType: 'plasma', patientPosition: 0, orderedHoursAgo: 3 },
  { accession: '27', panel: LAB_PANELS.cbc, specimenType: 'blood', patientPosition: 2, orderedHoursAgo: 2 },
  { accession: 'CL-PL-24-0370', panel: LAB_PANELS.comprehensiveMetabolic, specimenType: 'serum', patientPosition: 4, orderedHoursAgo: 1 },
];

/** The accession numbers of the seeded Specimens. */
export const SEEDED_ACCESSIONS: readonly string[] = SEEDED_LAB_ORDERS.map((order) => order.accession);

const HOUR_MS = 60 * 60 * 1000;

/** Turns an accession number into the part of a FHIR id it names, such as "cl-pl-24-0370". */
function idPart(accession: string): string {
  return accession.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export function labOrderId(accession: string): string {
  return `lab-order-${idPart(accession)}`;
}

export function specimenId(accession: string): string {
  return `specimen-${idPart(accession)}`;
}

/** Builds the laboratory department's Location: a scope of its own, like a ward. */
export function labDepartmentLocation(): FhirResource {
  return {
    resourceType: 'Location',
    id: SEEDED_LAB_DEPARTMENT.id,
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'active',
    name: SEEDED_LAB_DEPARTMENT.name,
    alias: [SEEDED_LAB_DEPARTMENT.code],
    mode: 'instance',
    type: [{ coding: [{ ...HOSPITAL_LABORATORY }] }],
  };
}

export interface LabOrderParties {
  requester: Performer;
  collector: Performer;
}

/** Builds an active ServiceRequest for the laboratory department and the Specimen drawn for it. */
export function labOrder(order: SeededLabOrder, patientId: string, now: Date, parties: LabOrderParties): FhirResource[] {
  const orderId = labOrderId(order.accession);
  const tubeId = specimenId(order.accession);
  const orderedAt = new Date(now.getTime() - order.orderedHoursAgo * HOUR_MS);
  const collectedAt = new Date(orderedAt.getTime() + HOUR_MS / 2);

  const serviceRequest: FhirResource = {
    resourceType: 'ServiceRequest',
    id: orderId,
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'active',
    intent: 'order',
    priority: 'routine',
    category: [{ coding: [{ ...LABORATORY_PROCEDURE }] }],
    code: { coding: [{ system: LOINC, ...order.panel }], text: order.panel.display },
    subject: { reference: `Patient/${patientId}` },
    encounter: { reference: `Encounter/${admissionEncounterId(patientId)}` },
    authoredOn: orderedAt.toISOString(),
    requester: parties.requester,
    locationReference: [{ reference: `Location/${SEEDED_LAB_DEPARTMENT.id}`, display: SEEDED_LAB_DEPARTMENT.name }],
    specimen: [{ reference: `Specimen/${tubeId}` }],
  };
  const specimen: FhirResource = {
    resourceType: 'Specimen',
    id: tubeId,
    meta: { tag: [{ ...GENERATED_TAG }] },
    status: 'available',
    accessionIdentifier: { system: ACCESSION_SYSTEM, value: order.accession },
    type: { coding: [{ ...SPECIMEN_TYPES[order.specimenType] }] },
    subject: { reference: `Patient/${patientId}` },
    request: [{ reference: `ServiceRequest/${orderId}` }],
    collection: { collector: parties.collector, collectedDateTime: collectedAt.toISOString() },
  };
  return [serviceRequest, specimen];
}
