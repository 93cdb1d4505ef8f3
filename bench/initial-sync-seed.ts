// The initial sync benchmark's data: one ward of generated patients, each with an in-progress
// Encounter on that ward and a number of vital signs panels, written straight into the server's
// `documents` table as the push route stores them.
import { performance } from 'node:perf_hooks';

import type pg from 'pg';

import type { Consciousness, News2Observations } from '../preload/api/clinical/news2.js';
import type { CollectionName } from '../sync/protocol/collections.js';
import type { DerivationContext, FhirResource, ReplicatedDocument } from '../sync/protocol/documents.js';
import { toEntryDocument, toRecordDocument, toReferenceDocument } from '../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../sync/protocol/fhir/identifiers.js';
import { buildVitalSignsPanel } from '../sync/protocol/fhir/vital-signs.js';
import type { Queryable } from '../sync/server/database/index.js';
import { refreshWardMembership } from '../sync/server/ward-membership.js';

/** The benchmark's own ward, so that the replica receives exactly the generated documents. */
export const BENCH_WARD_ID = 'ward-bench';
export const SEED_NOW = new Date('2026-12-01T08:00:00.000Z');
/** Rows per INSERT statement of the seed. */
const SEED_BATCH = 2_000;
/** Patients per refreshWardMembership call. */
const MEMBERSHIP_BATCH = 10_000;

export interface BenchScale {
  patients: number;
  observationsPerPatient: number;
}

/** Returns how many documents a workstation of the bench ward receives, by collection; the reference count is the least, the bench ward's Location. */
export function expectedDocuments(scale: BenchScale): Record<CollectionName, number> {
  return { reference: 1, records: 2 * scale.patients, entries: scale.patients * scale.observationsPerPatient };
}

/** A small deterministic generator, so that two runs write the same documents. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const FAMILY_NAMES = ['Müller', 'García', 'Nguyen', 'Smith', 'Kowalski', 'Öztürk', 'Rossi', 'Okafor', 'Haddad', 'Patel', 'Chen', 'Sato', "O'Neill", 'Dvořák', 'Jensen', 'Virtanen'];
const GIVEN_NAMES = ['Anna', 'Zoë', 'José', 'Léa', 'Jonas', 'Minh', 'Søren', 'Aisha', 'Priya', 'Wei', 'Siobhán', 'Łukasz', 'Chidi', 'Yuki', 'Omar', 'Ágnes'];
const CONSCIOUSNESS: Consciousness[] = ['A', 'A', 'A', 'A', 'C', 'V'];

function patientResource(index: number, random: () => number): FhirResource {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const given = [pick(GIVEN_NAMES), ...(random() < 0.3 ? [pick(GIVEN_NAMES)] : [])];
  const birthDate = new Date(Date.UTC(1930, 0, 1) + Math.floor(random() * 90 * 365) * 86_400_000).toISOString().slice(0, 10);
  return {
    resourceType: 'Patient',
    id: `patient-${index}`,
    meta: { versionId: '1', lastUpdated: SEED_NOW.toISOString() },
    identifier: [{ system: MRN_SYSTEM, value: String(10_000_000 + index) }],
    active: true,
    name: [{ use: 'official', family: pick(FAMILY_NAMES), given }],
    telecom: [{ system: 'phone', value: `+44 20 7946 ${String(index % 10_000).padStart(4, '0')}`, use: 'home' }],
    gender: random() < 0.5 ? 'female' : 'male',
    birthDate,
    address: [{ use: 'home', line: [`${1 + (index % 200)} High Street`], city: 'London', postalCode: `N${1 + (index % 20)} ${index % 10}AB`, country: 'GB' }],
  };
}

function encounterResource(index: number): FhirResource {
  return {
    resourceType: 'Encounter',
    id: `encounter-${index}`,
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    subject: { reference: `Patient/patient-${index}` },
    period: { start: '2026-11-28T09:00:00.000Z' },
    location: [{ location: { reference: `Location/${BENCH_WARD_ID}` }, status: 'active' }],
  };
}

function observationResource(patientIndex: number, number: number, random: () => number): FhirResource {
  const observations: News2Observations = {
    respiratoryRate: 12 + Math.floor(random() * 14),
    spo2: 88 + Math.floor(random() * 12),
    systolicBloodPressure: 90 + Math.floor(random() * 90),
    pulse: 50 + Math.floor(random() * 80),
    temperature: Math.round((35.5 + random() * 4) * 10) / 10,
    onOxygen: random() < 0.2,
    consciousness: CONSCIOUSNESS[Math.floor(random() * CONSCIOUSNESS.length)] as Consciousness,
  };
  return buildVitalSignsPanel({
    id: `vitals-${patientIndex}-${number}`,
    patientId: `patient-${patientIndex}`,
    encounterId: `encounter-${patientIndex}`,
    effectiveDateTime: new Date(SEED_NOW.getTime() - Math.floor(random() * 72 * 3_600_000)).toISOString(),
    performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
    observations,
    scale: random() < 0.1 ? 2 : 1,
  });
}

interface SeedRow {
  collection: CollectionName;
  derived: ReplicatedDocument;
}

/** Adapts a `pg` client to the server's Queryable, so the server's own functions run on it. */
export function queryableOf(client: pg.Client): Queryable {
  return {
    async query<Row>(sql: string, parameters?: readonly unknown[]) {
      const result = await client.query(sql, parameters ? [...parameters] : []);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/**
 * Writes rows into `documents` with one multi-row INSERT, as insertDocument (sync/server/document-store.ts)
 * stores one: the wire document as jsonb and the derived columns beside it. The table's trigger sets txid.
 */
async function insertRows(client: pg.Client, rows: readonly SeedRow[]): Promise<void> {
  const columns: string[][] = [[], [], [], [], [], []];
  for (const { collection, derived } of rows) {
    columns[0]?.push(collection);
    columns[1]?.push(derived.id);
    columns[2]?.push(derived.resourceType);
    columns[3]?.push('patientId' in derived ? derived.patientId : '');
    columns[4]?.push('wardId' in derived ? derived.wardId : '');
    columns[5]?.push(JSON.stringify({ ...derived, _deleted: false }));
  }
  await client.query(
    `INSERT INTO documents (collection, id, resource_type, patient_id, ward_id, document, deleted)
     SELECT collection, id, resource_type, patient_id, ward_id, document::jsonb, false
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS input (collection, id, resource_type, patient_id, ward_id, document)`,
    columns,
  );
}

/**
 * Seeds the bench ward, its patients, their Encounters and observations, and the server's ward
 * membership of those patients; returns the seconds it took. Each INSERT of SEED_BATCH rows is
 * one transaction, so the rows arrive in the feed in many txids, as writes over time would.
 */
export async function seedBenchWard(client: pg.Client, scale: BenchScale): Promise<number> {
  const started = performance.now();
  const context: DerivationContext = { wardOfLocation: (locationId) => (locationId === BENCH_WARD_ID ? BENCH_WARD_ID : undefined) };
  const ward: FhirResource = { resourceType: 'Location', id: BENCH_WARD_ID, status: 'active', name: 'Benchmark ward', mode: 'instance' };
  await insertRows(client, [{ collection: 'reference', derived: toReferenceDocument(ward, context) }]);

  // One INSERT runs in PostgreSQL while the next batch is generated here.
  let inserting: Promise<void> = Promise.resolve();
  const insertNext = async (rows: SeedRow[]) => {
    await inserting;
    inserting = insertRows(client, rows);
  };

  const random = seededRandom(20_261_201);
  let records: SeedRow[] = [];
  let entries: SeedRow[] = [];
  for (let index = 0; index < scale.patients; index += 1) {
    records.push({ collection: 'records', derived: toRecordDocument(patientResource(index, random), context) });
    records.push({ collection: 'records', derived: toRecordDocument(encounterResource(index), context) });
    for (let number = 0; number < scale.observationsPerPatient; number += 1) {
      entries.push({ collection: 'entries', derived: toEntryDocument(observationResource(index, number, random)) });
    }
    if (records.length >= SEED_BATCH) {
      await insertNext(records);
      records = [];
    }
    if (entries.length >= SEED_BATCH) {
      await insertNext(entries);
      entries = [];
    }
  }
  if (records.length > 0) await insertNext(records);
  if (entries.length > 0) await insertNext(entries);
  await inserting;

  // The server's own record of who is on which ward, from the Encounters just written.
  const database = queryableOf(client);
  for (let first = 0; first < scale.patients; first += MEMBERSHIP_BATCH) {
    const patientIds = Array.from({ length: Math.min(MEMBERSHIP_BATCH, scale.patients - first) }, (_, offset) => `patient-${first + offset}`);
    await refreshWardMembership(database, patientIds);
  }
  // A server that took these writes over time would have run autovacuum's ANALYZE by now.
  await client.query('VACUUM ANALYZE documents');
  await client.query('VACUUM ANALYZE ward_membership');
  return (performance.now() - started) / 1000;
}
