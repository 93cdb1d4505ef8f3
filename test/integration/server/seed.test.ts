import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CollectionName } from '../../../sync/protocol/collections.js';
import { COLLECTION_NAMES } from '../../../sync/protocol/collections.js';
import { GENERATED_TAG, isGenerated, MRN_SYSTEM, SYNTHEA_SYSTEM, V2_IDENTIFIER_TYPE_SYSTEM } from '../../../sync/protocol/fhir/identifiers.js';
import { NEWS2_TOTAL, parseVitalSignsPanel, SPO2_SCALE_KEY, VITAL_SIGNS_PANEL_KEY } from '../../../sync/protocol/fhir/vital-signs.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { LOINC } from '../../../sync/protocol/fhir/identifiers.js';
import { HOSPITAL_LABORATORY, LABORATORY_PROCEDURE } from '../../../sync/protocol/fhir/laboratory.js';
import { buildDemoData, SEEDED_ACCESSIONS, SEEDED_LAB_DEPARTMENT, SEEDED_LAB_ORDERS, seedDemoData, seededWards } from '../../../sync/server/seed/index.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, startServer, SyncClient, TEST_NOW, WARD_4A, WARD_7B } from './helpers.js';

const BUNDLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/fhir/synthea');
const HOUR_MS = 60 * 60 * 1000;
/** Patients of the fixtures who are dead or under 18 on TEST_NOW, so the seed must leave them out. */
const DECEASED_PATIENT_ID = '829bb06a-42b9-433d-a8f6-560727c63da9';
const CHILD_PATIENT_ID = 'd070e7dd-4d25-4c52-9fb2-78d232e1cf2c';
/** The one fixture patient with Synthea allergies (three). */
const PATIENT_WITH_SYNTHEA_ALLERGIES = '1f456f0a-acb1-4728-82af-01ca57083c7b';

type WardData = Record<CollectionName, WireDocument[]>;

function isGeneratedDocument(document: WireDocument): boolean {
  return isGenerated(document.resource as Parameters<typeof isGenerated>[0]);
}

async function pullWard(server: SyncServer, wardId: string): Promise<WardData> {
  const client = await SyncClient.signIn(server.url, { wardId, workstationId: `ws-seed-${wardId}` });
  const entries = await Promise.all(COLLECTION_NAMES.map(async (collection) => [collection, (await client.pullAll(collection)).documents] as const));
  return Object.fromEntries(entries) as WardData;
}

function mrnsOf(documents: readonly WireDocument[]): Map<string, string> {
  return new Map(documents.filter((document) => document.resourceType === 'Patient').map((document) => [document.resource.id as string, document.mrn as string]));
}

function countsOf(data: WardData): Record<CollectionName, number> {
  return Object.fromEntries(COLLECTION_NAMES.map((collection) => [collection, data[collection].length])) as Record<CollectionName, number>;
}

describe('demo data', () => {
  it('is the same from the same clock', async () => {
    const first = await buildDemoData({ bundlesDir: BUNDLES_DIR, now: TEST_NOW });
    const second = await buildDemoData({ bundlesDir: BUNDLES_DIR, now: TEST_NOW });
    expect(second.documents).toEqual(first.documents);
    expect(second.mrnByPatient).toEqual(first.mrnByPatient);
  });

  it('keeps a child who is an adult on a later clock', async () => {
    const now = await buildDemoData({ bundlesDir: BUNDLES_DIR, now: TEST_NOW });
    const later = await buildDemoData({ bundlesDir: BUNDLES_DIR, now: new Date('2040-01-01T00:00:00.000Z') });
    expect(now.mrnByPatient.has(CHILD_PATIENT_ID)).toBe(false);
    expect(later.mrnByPatient.has(CHILD_PATIENT_ID)).toBe(true);
    expect(later.mrnByPatient.size).toBe(now.mrnByPatient.size + 1);
  });
});

describe.each(BACKENDS)('seed on %s', (backend) => {
  const storages: TestStorage[] = [];
  const servers: SyncServer[] = [];
  let ward4a: WardData;
  let ward7b: WardData;
  let labLocations: WireDocument[];

  async function seededServer(): Promise<SyncServer> {
    const storage = await createStorage(backend, 'seed');
    storages.push(storage);
    const server = await startServer(storage);
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    const server = await seededServer();
    ward4a = await pullWard(server, WARD_4A);
    ward7b = await pullWard(server, WARD_7B);
    const lab = await SyncClient.signIn(server.url, { username: 'lab-technician', wardId: SEEDED_LAB_DEPARTMENT.id, workstationId: 'ws-seed-lab' });
    // The formulary's Medications belong to every scope; the lab's own reference data is its Location.
    labLocations = (await lab.pullAll('reference')).documents.filter((document) => document.resourceType === 'Location');
  });

  afterAll(async () => {
    try {
      for (const server of servers) await server.close();
    } finally {
      for (const storage of storages) await storage.cleanup();
    }
  });

  it('gives the same counts and MRNs on a fresh database', async () => {
    const again = await seededServer();
    const again4a = await pullWard(again, WARD_4A);
    const again7b = await pullWard(again, WARD_7B);
    expect(countsOf(again4a)).toEqual(countsOf(ward4a));
    expect(countsOf(again7b)).toEqual(countsOf(ward7b));
    expect(mrnsOf(again4a.records)).toEqual(mrnsOf(ward4a.records));
    expect(mrnsOf(again7b.records)).toEqual(mrnsOf(ward7b.records));
  });

  it('skips a database that is already seeded', async () => {
    const server = servers[0] as SyncServer;
    const result = await seedDemoData(server.database, { now: TEST_NOW }, pino({ level: 'silent' }));
    expect(result.seeded).toBe(false);
    const { rows } = await server.database.query<{ count: string }>('SELECT count(*)::text AS count FROM documents');
    // The lab's records and entries are ward 4A's patients' too; only its Location is its own. The
    // formulary's Medications reach both wards, so the second ward's copies are counted once.
    const wardDocuments = COLLECTION_NAMES.reduce((sum, collection) => sum + ward4a[collection].length + ward7b[collection].length, 0);
    const formularyCopies = ward7b.reference.filter((document) => document.resourceType === 'Medication').length;
    expect(Number(rows[0]?.count)).toBe(wardDocuments + labLocations.length - formularyCopies);
  });

  it('creates two wards with enough beds', () => {
    expect(seededWards()).toEqual([
      { id: WARD_4A, name: 'Ward 4A – Acute Medicine' },
      { id: WARD_7B, name: 'Ward 7B – Surgical' },
    ]);
    for (const [wardId, data] of [
      [WARD_4A, ward4a],
      [WARD_7B, ward7b],
    ] as const) {
      const ward = data.reference.find((document) => document.id === `Location/${wardId}`);
      expect(ward?.resource.physicalType).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'wa', display: 'Ward' }] });
      const beds = data.reference.filter((document) => document.resourceType === 'Location' && document.id !== `Location/${wardId}`);
      for (const bed of beds) {
        expect((bed.resource.physicalType as { coding: { code: string }[] }).coding[0]?.code).toBe('bd');
        expect(bed.resource.partOf).toMatchObject({ reference: `Location/${wardId}` });
        expect(bed.resource.name).toMatch(/^(4A|7B)-\d{2}$/);
      }
      const patients = data.records.filter((document) => document.resourceType === 'Patient');
      expect(beds.length).toBeGreaterThanOrEqual(patients.length);
    }
  });

  it('keeps only living adults', () => {
    const patientIds = [...mrnsOf(ward4a.records).keys(), ...mrnsOf(ward7b.records).keys()];
    expect(patientIds).toHaveLength(43);
    expect(patientIds).not.toContain(DECEASED_PATIENT_ID);
    expect(patientIds).not.toContain(CHILD_PATIENT_ID);
    for (const document of [...ward4a.records, ...ward7b.records].filter((candidate) => candidate.resourceType === 'Patient')) {
      expect(document.resource.deceasedDateTime).toBeUndefined();
      expect(document.resource.deceasedBoolean).not.toBe(true);
      const birthDate = new Date(`${document.resource.birthDate as string}T00:00:00Z`);
      expect(TEST_NOW.getTime() - birthDate.getTime()).toBeGreaterThan(18 * 365 * 24 * HOUR_MS);
    }
  });

  it('gives each patient an MRN and the Synthea id', () => {
    const mrns = new Set<string>();
    for (const document of [...ward4a.records, ...ward7b.records].filter((candidate) => candidate.resourceType === 'Patient')) {
      const identifiers = document.resource.identifier as { system: string; value: string; type?: { coding: { system: string; code: string }[] } }[];
      expect(identifiers).toHaveLength(2);
      const [mrn, synthea] = identifiers;
      expect(mrn?.system).toBe(MRN_SYSTEM);
      expect(mrn?.value).toMatch(/^\d{8}$/);
      expect(mrn?.type?.coding[0]).toMatchObject({ system: V2_IDENTIFIER_TYPE_SYSTEM, code: 'MR' });
      expect(document.mrn).toBe(mrn?.value);
      expect(synthea?.system).toBe(SYNTHEA_SYSTEM);
      expect(synthea?.value).toMatch(/^[0-9a-f-]{36}$/);
      mrns.add(mrn?.value as string);
    }
    expect(mrns.size).toBe(43);
  });

  it('admits each patient to a bed of their ward', () => {
    for (const [wardId, data] of [
      [WARD_4A, ward4a],
      [WARD_7B, ward7b],
    ] as const) {
      const bedIds = new Set(data.reference.map((document) => document.resource.id as string));
      const patients = data.records.filter((document) => document.resourceType === 'Patient');
      const encounters = data.records.filter((document) => document.resourceType === 'Encounter');
      expect(encounters).toHaveLength(patients.length);
      const occupiedBeds = new Set<string>();
      for (const encounter of encounters) {
        expect(encounter.resource.status).toBe('in-progress');
        expect((encounter.resource.class as { code: string }).code).toBe('IMP');
        expect(encounter.wardId).toBe(wardId);
        const bedId = ((encounter.resource.location as { location: { reference: string } }[])[0]?.location.reference ?? '').replace('Location/', '');
        expect(bedIds.has(bedId)).toBe(true);
        occupiedBeds.add(bedId);
      }
      expect(occupiedBeds.size).toBe(encounters.length);
    }
  });

  it('records allergies for some patients only', () => {
    const records = [...ward4a.records, ...ward7b.records];
    const allergies = records.filter((document) => document.resourceType === 'AllergyIntolerance');
    const patientsWithAllergy = new Set(allergies.map((document) => document.patientId));
    const noKnownAllergy = allergies.filter((document) => (document.resource.code as { coding: { code: string }[] }).coding[0]?.code === '716186003');

    expect(allergies.filter((document) => document.patientId === PATIENT_WITH_SYNTHEA_ALLERGIES && !isGeneratedDocument(document))).toHaveLength(3);
    expect(allergies.filter((document) => isGeneratedDocument(document)).length).toBeGreaterThanOrEqual(2);
    expect(noKnownAllergy).toHaveLength(1);
    expect(patientsWithAllergy.size).toBeGreaterThanOrEqual(4);
    expect(patientsWithAllergy.size).toBeLessThan(43);
    for (const allergy of allergies.filter((document) => isGeneratedDocument(document))) {
      expect((allergy.resource.meta as { tag: unknown[] }).tag).toContainEqual(GENERATED_TAG);
    }
  });

  it('adds 48 hours of generated vital signs', () => {
    const entries = [...ward4a.entries, ...ward7b.entries];
    const panels = entries.filter((document) => document.code === VITAL_SIGNS_PANEL_KEY);
    const latestTotals: number[] = [];
    for (const patientId of [...mrnsOf(ward4a.records).keys(), ...mrnsOf(ward7b.records).keys()]) {
      const own = panels.filter((document) => document.patientId === patientId).sort((a, b) => ((a.effective as string) < (b.effective as string) ? -1 : 1));
      expect(own.length).toBeGreaterThanOrEqual(8);
      for (const panel of own) {
        expect(isGeneratedDocument(panel)).toBe(true);
        const takenAt = Date.parse(panel.effective as string);
        expect(takenAt).toBeLessThanOrEqual(TEST_NOW.getTime());
        expect(takenAt).toBeGreaterThanOrEqual(TEST_NOW.getTime() - 48 * HOUR_MS);
        expect(Object.keys(parseVitalSignsPanel(panel.resource).observations)).toHaveLength(7);
      }
      const components = (own.at(-1)?.resource.component ?? []) as { code: { coding: { code: string }[] }; valueInteger?: number }[];
      latestTotals.push(components.find((component) => component.code.coding[0]?.code === NEWS2_TOTAL.code)?.valueInteger ?? -1);
    }
    expect(latestTotals.every((total) => total >= 0)).toBe(true);
    expect(latestTotals.filter((total) => total >= 5).length).toBeGreaterThanOrEqual(2);
    expect(latestTotals.filter((total) => total <= 2).length).toBeGreaterThan(30);
  });

  it('records a scale 2 decision by a doctor', () => {
    const entries = [...ward4a.entries, ...ward7b.entries];
    const decisions = entries.filter((document) => document.code === SPO2_SCALE_KEY);
    expect(decisions.length).toBeGreaterThanOrEqual(1);
    expect(decisions.length).toBeLessThanOrEqual(2);
    for (const decision of decisions) {
      expect(decision.resource.valueInteger).toBe(2);
      expect(decision.resource.performer).toEqual([{ reference: 'Practitioner/user-doctor', display: 'Demo Doctor' }]);
      const panels = entries.filter((document) => document.patientId === decision.patientId && document.code === VITAL_SIGNS_PANEL_KEY);
      expect(panels.every((panel) => parseVitalSignsPanel(panel.resource).scale === 2)).toBe(true);
    }
  });

  it('serves medication orders by patient scope', () => {
    for (const data of [ward4a, ward7b]) {
      const patients = new Set(data.records.filter((document) => document.resourceType === 'Patient').map((document) => document.patientId));
      const orders = data.records.filter((document) => document.resourceType === 'MedicationRequest');
      const administrations = data.entries.filter((document) => document.resourceType === 'MedicationAdministration');
      expect(orders.length).toBeGreaterThanOrEqual(patients.size * 2);
      expect(administrations.length).toBeGreaterThan(0);
      for (const document of [...orders, ...administrations]) expect(patients.has(document.patientId), document.id).toBe(true);
      expect(data.reference.filter((document) => document.resourceType === 'Medication').map((document) => document.wardId)).toEqual(Array(7).fill(''));
    }
  });

  it('creates the laboratory department', () => {
    expect(labLocations.map((document) => document.id)).toEqual([`Location/${SEEDED_LAB_DEPARTMENT.id}`]);
    const department = labLocations[0] as WireDocument;
    expect(department.wardId).toBe(SEEDED_LAB_DEPARTMENT.id);
    expect(department.resource.name).toBe('Core Laboratory');
    expect(department.resource.type).toEqual([{ coding: [HOSPITAL_LABORATORY] }]);
    for (const data of [ward4a, ward7b]) expect(data.reference.map((document) => document.id)).not.toContain(department.id);
  });

  it('opens lab orders with fixed accession numbers', () => {
    const specimens = ward4a.records.filter((document) => document.resourceType === 'Specimen');
    const orders = ward4a.records.filter((document) => document.resourceType === 'ServiceRequest');
    const patients4a = mrnsOf(ward4a.records);

    expect(specimens.map((document) => document.accession).sort()).toEqual([...SEEDED_ACCESSIONS].sort());
    expect(orders).toHaveLength(SEEDED_LAB_ORDERS.length);
    expect([...ward7b.records].filter((document) => document.resourceType === 'ServiceRequest' || document.resourceType === 'Specimen')).toEqual([]);
    for (const seeded of SEEDED_LAB_ORDERS) {
      const specimen = specimens.find((document) => document.accession === seeded.accession) as WireDocument;
      const orderReference = (specimen.resource.request as { reference: string }[])[0]?.reference;
      const order = orders.find((document) => document.id === orderReference) as WireDocument;
      expect(order, seeded.accession).toBeDefined();
      expect(patients4a.has(specimen.patientId as string)).toBe(true);
      expect(order.patientId).toBe(specimen.patientId);
      expect(order.wardId).toBe(SEEDED_LAB_DEPARTMENT.id);
      expect(order.resource.status).toBe('active');
      expect(order.resource.category).toEqual([{ coding: [LABORATORY_PROCEDURE] }]);
      expect((order.resource.code as { coding: { system: string; code: string }[] }).coding[0]).toMatchObject({ system: LOINC, code: seeded.panel.code });
      expect(order.resource.specimen).toEqual([{ reference: specimen.id }]);
      expect(Date.parse(order.resource.authoredOn as string)).toBeLessThan(TEST_NOW.getTime());
    }
  });
});
