import type { CollectionName } from '../../protocol/collections.js';
import type { DerivationContext, FhirResource, ReplicatedDocument } from '../../protocol/documents.js';
import { toReplicatedDocument } from '../../protocol/documents.js';
import type { WireDocument } from '../../protocol/wire.js';
import { generatedAllergy, ALLERGEN_COUNT, noKnownAllergy } from './allergies.js';
import { labDepartmentLocation, labOrder, SEEDED_LAB_DEPARTMENT, SEEDED_LAB_ORDERS } from './lab-orders.js';
import { administrationHistory, FORMULARY, formularyMedication, medicationOrder, regimensAt } from './medication-orders.js';
import { admissionEncounter, admissionEncounterId, assignMrns, hospitalPatient } from './patients.js';
import { createRandom, shuffled } from './random.js';
import { isLivingAdult, readSyntheaPatients } from './synthea.js';
import type { SyntheaPatient } from './synthea.js';
import { demoUser, performerOf } from './users.js';
import type { VitalsProfile } from './vitals.js';
import { scale2Decision, vitalsHistory } from './vitals.js';
import type { SeededWardId } from './wards.js';
import { buildWardLayout, SEEDED_WARDS } from './wards.js';

/**
 * The demo hospital built from the Synthea bundles: the living adults, admitted to two wards, with
 * allergies, 48 hours of vital signs and medication orders with the last 12 hours of doses, and a
 * laboratory with open orders for some of them. Everything derives from the bundles and the clock,
 * so the same inputs always give the same documents.
 */

const HOUR_MS = 60 * 60 * 1000;
/** Positions (in Patient.id order) of the patients who deteriorate, and of those on SpO2 scale 2. */
const DETERIORATING_POSITIONS = new Map([
  [2, 1],
  [9, 0.8],
  [16, 0.65],
]);
const HYPERCAPNIC_POSITIONS = new Set([5, 12]);
/** Share of patients without a Synthea allergy who get a generated one. */
const GENERATED_ALLERGY_SHARE = 0.3;

/** A document as stored: the wire form and the derived fields it was built from. */
export interface SeedDocument {
  document: WireDocument;
  derived: ReplicatedDocument;
}

export interface DemoData {
  documents: Record<CollectionName, SeedDocument[]>;
  /** MRN of each seeded Patient.id. */
  mrnByPatient: Map<string, string>;
  wardByPatient: Map<string, SeededWardId>;
}

export interface DemoDataOptions {
  /** Folder of Synthea FHIR R4 bundles (`*.json`). */
  bundlesDir: string;
  /** The seed's "now": ages, admissions and vital signs are relative to it. */
  now: Date;
}

function profileAt(position: number): VitalsProfile {
  if (DETERIORATING_POSITIONS.has(position)) return 'deteriorating';
  if (HYPERCAPNIC_POSITIONS.has(position)) return 'hypercapnic';
  return 'stable';
}

function roundDownToMinutes(millis: number, minutes: number): Date {
  const step = minutes * 60_000;
  return new Date(Math.floor(millis / step) * step);
}

/** Gives each kept patient's allergies: Synthea's, a generated one, or "no known allergy" for one patient. */
function allergiesOf(kept: readonly SyntheaPatient[], admittedAt: ReadonlyMap<string, Date>): Map<string, FhirResource[]> {
  const allergiesByPatient = new Map<string, FhirResource[]>();
  for (const { patient, allergies } of kept) {
    const patientId = patient.id as string;
    const random = createRandom(`allergies:${patientId}`);
    const recordedDate = (admittedAt.get(patientId) as Date).toISOString();
    const generated = allergies.length === 0 && random.next() < GENERATED_ALLERGY_SHARE ? [generatedAllergy(patientId, random.integer(0, ALLERGEN_COUNT - 1), recordedDate)] : [];
    allergiesByPatient.set(patientId, [...allergies, ...generated]);
  }
  const withoutAllergies = kept.find(({ patient }) => allergiesByPatient.get(patient.id as string)?.length === 0);
  if (withoutAllergies) {
    const patientId = withoutAllergies.patient.id as string;
    allergiesByPatient.set(patientId, [noKnownAllergy(patientId, (admittedAt.get(patientId) as Date).toISOString())]);
  }
  return allergiesByPatient;
}

/** Builds the seeded lab orders for ward 4A's patients, given in Patient.id order. */
function labOrders(ward4aPatients: readonly string[], now: Date): FhirResource[] {
  const parties = { requester: performerOf(demoUser('doctor')), collector: performerOf(demoUser('nurse')) };
  return SEEDED_LAB_ORDERS.flatMap((order) => {
    const patientId = ward4aPatients[order.patientPosition];
    if (patientId === undefined) throw new Error(`Ward 4A has ${ward4aPatients.length} patients, too few for the lab order of patient position ${order.patientPosition}`);
    return labOrder(order, patientId, now, parties);
  });
}

/** Reads the bundles and builds every document of the demo hospital. */
export async function buildDemoData(options: DemoDataOptions): Promise<DemoData> {
  const kept = (await readSyntheaPatients(options.bundlesDir))
    .filter(({ patient }) => isLivingAdult(patient, options.now))
    .sort((a, b) => ((a.patient.id as string) < (b.patient.id as string) ? -1 : 1));
  const patientIds = kept.map(({ patient }) => patient.id as string);
  const mrnByPatient = assignMrns(patientIds);

  // Patients alternate between the wards in Patient.id order.
  const wardByPatient = new Map<string, SeededWardId>(
    patientIds.map((patientId, position) => [patientId, (SEEDED_WARDS[position % SEEDED_WARDS.length] as (typeof SEEDED_WARDS)[number]).id]),
  );
  const patientsPerWard = new Map<SeededWardId, number>();
  for (const wardId of wardByPatient.values()) patientsPerWard.set(wardId, (patientsPerWard.get(wardId) ?? 0) + 1);
  const layout = buildWardLayout(patientsPerWard);
  const freeBeds = new Map(SEEDED_WARDS.map((ward) => [ward.id, shuffled(layout.bedsByWard.get(ward.id) ?? [], createRandom(`beds:${ward.id}`))]));

  const admittedAt = new Map(
    patientIds.map((patientId) => {
      // Admitted at least 50 hours ago, so the whole 48-hour vital signs history falls inside the stay.
      const hoursAgo = 50 + createRandom(`admission:${patientId}`).integer(0, 7 * 24);
      return [patientId, roundDownToMinutes(options.now.getTime() - hoursAgo * HOUR_MS, 5)];
    }),
  );
  const allergiesByPatient = allergiesOf(kept, admittedAt);

  const records: FhirResource[] = [];
  const entries: FhirResource[] = [];
  kept.forEach(({ patient }, position) => {
    const patientId = patient.id as string;
    const bed = freeBeds.get(wardByPatient.get(patientId) as SeededWardId)?.shift();
    if (!bed) throw new Error(`No free bed for patient ${patientId}`);
    const admission = admittedAt.get(patientId) as Date;

    records.push(hospitalPatient(patient, mrnByPatient.get(patientId) as string));
    records.push(admissionEncounter(patientId, bed, admission.toISOString()));
    records.push(...(allergiesByPatient.get(patientId) ?? []));

    const profile = profileAt(position);
    if (profile === 'hypercapnic') entries.push(scale2Decision(patientId, new Date(admission.getTime() + 2 * HOUR_MS), performerOf(demoUser('doctor'))));
    entries.push(
      ...vitalsHistory({
        patientId,
        encounterId: admissionEncounterId(patientId),
        profile,
        severity: DETERIORATING_POSITIONS.get(position),
        clock: options.now,
        random: createRandom(`vitals:${patientId}`),
        recordedBy: performerOf(demoUser('nurse')),
      }),
    );

    // Orders start an hour after admission; the pharmacy verified them in the central HMS.
    const startedAt = new Date(admission.getTime() + HOUR_MS);
    for (const regimen of regimensAt(position)) {
      const order = medicationOrder(patientId, regimen, startedAt, { prescriber: performerOf(demoUser('doctor')) });
      records.push(order);
      entries.push(
        ...administrationHistory({ patientId, order, regimen, now: options.now, random: createRandom(`doses:${order.id as string}`), nurse: performerOf(demoUser('nurse')) }),
      );
    }
  });

  records.push(...labOrders(patientIds.filter((patientId) => wardByPatient.get(patientId) === 'ward-4a'), options.now));

  // The laboratory department is its own scope, as each ward is.
  const context: DerivationContext = {
    wardOfLocation: (locationId) => (locationId === SEEDED_LAB_DEPARTMENT.id ? locationId : layout.context.wardOfLocation(locationId)),
  };
  const wrap = (resource: FhirResource): SeedDocument => {
    const derived = toReplicatedDocument(resource, context).document;
    return { document: { ...derived, _deleted: false }, derived };
  };
  return {
    documents: { reference: [...layout.locations, labDepartmentLocation(), ...Object.values(FORMULARY).map(formularyMedication)].map(wrap), records: records.map(wrap), entries: entries.map(wrap) },
    mrnByPatient,
    wardByPatient,
  };
}
