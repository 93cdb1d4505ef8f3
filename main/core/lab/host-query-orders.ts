import type { AnalyzerProfile } from '../../../devices/profiles/index.js';
import type { FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { LOINC } from '../../../sync/protocol/fhir/identifiers.js';
import { ANALYZER_CODE_SYSTEM_PREFIX } from '../../../sync/protocol/fhir/laboratory.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';

/** ServiceRequest.status values of an order the analyzer may still run. */
const PENDING_STATUSES = new Set(['active', 'on-hold']);

/** One pending order, written as the analyzer's test code. */
export interface PendingTest {
  /** Replica document id, such as `ServiceRequest/lab-order-27`. */
  serviceRequestId: string;
  /** Key of the profile's `tests` map: the analyzer's own test code. */
  testCode: string;
  display: string;
  /** LOINC code the profile gives the test code, if any. */
  loinc: string | undefined;
  /** ServiceRequest.status; an HL7 response marks an on-hold order HD in ORC-5. */
  status: 'active' | 'on-hold';
  /** FHIR ServiceRequest.priority: routine, urgent, asap or stat. */
  priority: string | undefined;
  authoredOn: string | undefined;
}

/** A Specimen found by its accession number, with its patient and pending orders. */
export interface SpecimenOrders {
  accession: string;
  /** Replica document id, such as `Specimen/specimen-27`. */
  specimenId: string;
  specimen: FhirResource;
  patient: FhirResource | undefined;
  /** Pending orders this analyzer runs, in the order the Specimen lists them. */
  tests: PendingTest[];
  /** Pending orders with no test code on this analyzer, by document id: left out of the response. */
  notOnAnalyzer: string[];
}

/**
 * Finds the Specimen with this accession number in the replica and its pending orders: the
 * ServiceRequests that the Specimen lists in `request` or that name it in `specimen`, with status
 * active or on-hold and not `doNotPerform`. Each order is translated to the analyzer's test code
 * through the profile. `requestedTests` (analyzer test codes) keeps only those tests; undefined
 * keeps all. Returns undefined when no Specimen has the accession.
 */
export async function findSpecimenOrders(
  replica: ReplicaDatabase,
  accession: string,
  profile: AnalyzerProfile,
  requestedTests?: ReadonlySet<string>,
): Promise<SpecimenOrders | undefined> {
  const found = await replica.records.findOne({ selector: { resourceType: 'Specimen', accession } }).exec();
  if (!found) return undefined;
  const specimen = found.toJSON() as RecordDocument;

  const patientDocument = specimen.patientId ? await replica.records.findOne(`Patient/${specimen.patientId}`).exec() : null;
  const requests = await serviceRequestsOf(replica, specimen);
  const codes = analyzerCodesByLoinc(profile);

  const tests: PendingTest[] = [];
  const notOnAnalyzer: string[] = [];
  for (const request of requests) {
    const resource = request.resource;
    if (!PENDING_STATUSES.has(String(resource.status)) || resource.doNotPerform === true) continue;

    const testCode = analyzerTestCodeOf(resource, profile, codes);
    if (testCode === undefined) {
      notOnAnalyzer.push(request.id);
      continue;
    }
    if (requestedTests && !requestedTests.has(testCode)) continue;
    tests.push({
      serviceRequestId: request.id,
      testCode,
      display: profile.tests[testCode]?.display ?? testCode,
      loinc: profile.tests[testCode]?.loinc,
      status: resource.status === 'on-hold' ? 'on-hold' : 'active',
      priority: typeof resource.priority === 'string' ? resource.priority : undefined,
      authoredOn: typeof resource.authoredOn === 'string' ? resource.authoredOn : undefined,
    });
  }

  return {
    accession,
    specimenId: specimen.id,
    specimen: specimen.resource,
    patient: (patientDocument?.toJSON() as RecordDocument | undefined)?.resource,
    tests,
    notOnAnalyzer,
  };
}

/** Returns the Specimen's ServiceRequests: those it lists in `request` first, then those of its patient that name it. */
export async function serviceRequestsOf(replica: ReplicaDatabase, specimen: RecordDocument): Promise<RecordDocument[]> {
  const listed = ((specimen.resource.request as { reference?: unknown }[] | undefined) ?? [])
    .map((reference) => reference.reference)
    .filter((reference): reference is string => typeof reference === 'string' && reference.startsWith('ServiceRequest/'));
  const byId = await replica.records.findByIds(listed).exec();
  const requests = listed.flatMap((id) => {
    const document = byId.get(id);
    return document ? [document.toJSON() as RecordDocument] : [];
  });

  // An order placed after the tube was labelled may name the Specimen without the Specimen naming it.
  if (specimen.patientId) {
    const ofPatient = await replica.records.find({ selector: { resourceType: 'ServiceRequest', patientId: specimen.patientId } }).exec();
    for (const document of ofPatient) {
      const request = document.toJSON() as RecordDocument;
      if (listed.includes(request.id)) continue;
      const specimens = (request.resource.specimen as { reference?: unknown }[] | undefined) ?? [];
      if (specimens.some((reference) => reference.reference === specimen.id)) requests.push(request);
    }
  }
  return requests;
}

/**
 * Returns the analyzer test code of an order: a coding in the profile's own code system first
 * (an order placed by analyzer code), else the first `tests` entry with the order's LOINC code.
 */
function analyzerTestCodeOf(resource: FhirResource, profile: AnalyzerProfile, codesByLoinc: ReadonlyMap<string, string>): string | undefined {
  const codings = ((resource.code as { coding?: { system?: unknown; code?: unknown }[] } | undefined)?.coding ?? []).filter(
    (coding): coding is { system: string; code: string } => typeof coding.system === 'string' && typeof coding.code === 'string',
  );
  const ownSystem = `${ANALYZER_CODE_SYSTEM_PREFIX}${profile.id}`;
  const own = codings.find((coding) => coding.system === ownSystem && Object.hasOwn(profile.tests, coding.code));
  if (own) return own.code;

  for (const coding of codings) {
    if (coding.system !== LOINC) continue;
    const code = codesByLoinc.get(coding.code);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Maps LOINC codes to analyzer test codes; when two analyzer codes share a LOINC code, the first in the profile wins. */
function analyzerCodesByLoinc(profile: AnalyzerProfile): Map<string, string> {
  const codes = new Map<string, string>();
  for (const [testCode, mapping] of Object.entries(profile.tests)) {
    if (mapping.loinc && !codes.has(mapping.loinc)) codes.set(mapping.loinc, testCode);
  }
  return codes;
}
