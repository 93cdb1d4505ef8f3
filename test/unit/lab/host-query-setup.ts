import type { AnalyzerProfile, AnalyzerProfileInput } from '../../../devices/profiles/index.js';
import { analyzerProfileSchema } from '../../../devices/profiles/index.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';
import { ACCESSION_SYSTEM, LOINC, MRN_SYSTEM, SNOMED } from '../../../sync/protocol/fhir/identifiers.js';
import { ANALYZER_CODE_SYSTEM_PREFIX } from '../../../sync/protocol/fhir/laboratory.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';

/** Shared data of the host query tests: a chemistry analyzer's profile and one patient's lab orders (synthetic). */

export const GLUCOSE = { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' };
export const POTASSIUM = { code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' };
export const SODIUM = { code: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma' };
/** Ordered but not on the analyzer: the profile has no test with this code. */
export const HBA1C = { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' };

export function chemistryProfile(overrides: Partial<AnalyzerProfileInput> = {}): AnalyzerProfile {
  return analyzerProfileSchema.parse({
    id: 'chem-bench-1',
    name: 'Chemistry bench 1',
    manufacturer: 'Test',
    model: 'Chem',
    transport: { kind: 'serial', baudRate: 9600 },
    protocol: { name: 'astm-e1381' },
    hostQuery: true,
    tests: {
      GLU: { loinc: GLUCOSE.code, display: GLUCOSE.display, unit: 'mg/dL' },
      K: { loinc: POTASSIUM.code, display: POTASSIUM.display, unit: 'mmol/L' },
      NA: { loinc: SODIUM.code, display: SODIUM.display, unit: 'mmol/L' },
      CREA: { display: 'Creatinine (analyzer code only)', note: 'ordered by analyzer code in these tests' },
    },
    ...overrides,
  });
}

export const PATIENT: FhirResource = {
  resourceType: 'Patient',
  id: 'p-lab-1',
  identifier: [{ system: MRN_SYSTEM, value: 'MRN-40001' }],
  name: [{ use: 'official', family: 'Quinn', given: ['Ada', 'Marie'] }],
  birthDate: '1961-03-09',
  gender: 'female',
};

export const ACCESSION = 'ACC-5001';
export const SPECIMEN_ID = 'specimen-5001';

interface OrderInput {
  id: string;
  loinc?: { code: string; display: string };
  analyzerCode?: string;
  status?: string;
  priority?: string;
  authoredOn?: string;
  doNotPerform?: boolean;
  /** Names the Specimen in ServiceRequest.specimen. */
  namesSpecimen?: string;
}

export function serviceRequest(input: OrderInput): FhirResource {
  const coding = input.analyzerCode
    ? { system: `${ANALYZER_CODE_SYSTEM_PREFIX}chem-bench-1`, code: input.analyzerCode }
    : { system: LOINC, code: input.loinc?.code ?? GLUCOSE.code, display: input.loinc?.display ?? GLUCOSE.display };
  return {
    resourceType: 'ServiceRequest',
    id: input.id,
    status: input.status ?? 'active',
    intent: 'order',
    priority: input.priority ?? 'routine',
    code: { coding: [coding] },
    subject: { reference: `Patient/${PATIENT.id}` },
    locationReference: [{ reference: 'Location/lab-core' }],
    ...(input.authoredOn ? { authoredOn: input.authoredOn } : {}),
    ...(input.doNotPerform ? { doNotPerform: true } : {}),
    ...(input.namesSpecimen ? { specimen: [{ reference: `Specimen/${input.namesSpecimen}` }] } : {}),
  };
}

export function specimen(input: { id?: string; accession?: string; requests: string[]; collectedDateTime?: string; patientId?: string }): FhirResource {
  return {
    resourceType: 'Specimen',
    id: input.id ?? SPECIMEN_ID,
    status: 'available',
    accessionIdentifier: { system: ACCESSION_SYSTEM, value: input.accession ?? ACCESSION },
    type: { coding: [{ system: SNOMED, code: '119364003', display: 'Serum specimen' }] },
    subject: { reference: `Patient/${input.patientId ?? PATIENT.id}` },
    request: input.requests.map((id) => ({ reference: `ServiceRequest/${id}` })),
    ...(input.collectedDateTime ? { collection: { collectedDateTime: input.collectedDateTime } } : {}),
  };
}

export async function insertRecords(replica: ReplicaDatabase, resources: readonly FhirResource[]): Promise<void> {
  await replica.records.bulkInsert(resources.map((resource) => toRecordDocument(resource, { wardOfLocation: () => undefined })));
}
