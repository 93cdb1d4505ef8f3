import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { verifyCheckDigit } from '../../../devices/scan/gs1/check-digit.js';
import { scheduledDoseTimes } from '../../../preload/api/clinical/dose-schedule.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import { GTIN_SYSTEM, readFormularyProduct, readMedicationAdministration, readMedicationOrder } from '../../../sync/protocol/fhir/medication.js';
import { medicationSchemaFor } from '../../../sync/protocol/fhir/medication-schemas.js';
import type { DemoData } from '../../../sync/server/seed/demo-data.js';
import { buildDemoData } from '../../../sync/server/seed/demo-data.js';
import { FORMULARY } from '../../../sync/server/seed/medication-orders.js';
import { validatePushedDocument } from '../../../sync/server/push-validation.js';
import { checkWritePermission } from '../../../sync/server/write-permissions.js';

const BUNDLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/fhir/synthea');
const NOW = new Date('2026-12-04T10:15:00.000Z');
const HOUR_MS = 60 * 60 * 1000;

function ofType(documents: readonly WireDocument[], resourceType: string): WireDocument[] {
  return documents.filter((document) => document.resourceType === resourceType);
}

const noLocations = {
  wardOfLocation: () => undefined,
  isLaboratoryDepartment: () => false,
  laboratoryDepartmentIds: () => [],
};

describe('medication seed', () => {
  let demo: DemoData;
  beforeAll(async () => {
    demo = await buildDemoData({ bundlesDir: BUNDLES_DIR, now: NOW });
  });

  it('gives every formulary GTIN a valid check digit', () => {
    for (const product of Object.values(FORMULARY)) {
      expect(product.gtin, product.name).toMatch(/^\d{14}$/);
      expect(verifyCheckDigit(product.gtin), product.gtin).toEqual({ ok: true });
    }
  });

  it('stores the formulary in reference for every ward', () => {
    const medications = ofType(demo.documents.reference.map((entry) => entry.document), 'Medication');
    expect(medications).toHaveLength(Object.keys(FORMULARY).length);
    for (const medication of medications) {
      expect(medication.wardId).toBe('');
      expect(medicationSchemaFor('Medication')?.safeParse(medication.resource).success, medication.id).toBe(true);
      expect(readFormularyProduct(medication.resource)?.strength).toBeDefined();
    }
  });

  it('orders medication for every admitted patient', () => {
    const orders = ofType(demo.documents.records.map((entry) => entry.document), 'MedicationRequest');
    const patients = new Set(orders.map((order) => order.patientId));
    expect(patients.size).toBe(demo.mrnByPatient.size);

    const gtins = new Set<string>(Object.values(FORMULARY).map((product) => product.gtin));
    for (const order of orders) {
      const parsed = medicationSchemaFor('MedicationRequest')?.safeParse(order.resource);
      expect(parsed?.success, `${order.id}: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
      const read = readMedicationOrder(order.resource);
      expect(gtins.has(read.gtin ?? '')).toBe(true);
      expect(read.dose).toBeDefined();
      expect(read.route).toBeDefined();
      expect(read.frequencyText).not.toBe('');
      expect(order.patientId).toBe(read.patientId);
    }
  });

  it('records the doses of the past 12 hours but the last 90 minutes', () => {
    const administrations = ofType(demo.documents.entries.map((entry) => entry.document), 'MedicationAdministration');
    expect(administrations.length).toBeGreaterThan(20);
    for (const administration of administrations) {
      const parsed = medicationSchemaFor('MedicationAdministration')?.safeParse(administration.resource);
      expect(parsed?.success, `${administration.id}: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
      const read = readMedicationAdministration(administration.resource);
      if (read.scheduledAt === undefined) continue;
      const scheduled = new Date(read.scheduledAt ?? '').getTime();
      expect(scheduled).toBeGreaterThanOrEqual(NOW.getTime() - 12 * HOUR_MS);
      expect(scheduled).toBeLessThan(NOW.getTime() - 1.5 * HOUR_MS);
      expect(administration.code).toBe(`${GTIN_SYSTEM}|${read.gtin ?? ''}`);
    }
    const statuses = new Set(administrations.map((administration) => administration.resource.status));
    expect(statuses).toEqual(new Set(['completed', 'not-done']));
  });

  it('leaves the doses of the last 90 minutes open', () => {
    const orders = ofType(demo.documents.records.map((entry) => entry.document), 'MedicationRequest')
      .map((order) => readMedicationOrder(order.resource))
      .filter((order) => !order.asNeeded);
    const recorded = new Set(
      ofType(demo.documents.entries.map((entry) => entry.document), 'MedicationAdministration')
        .map((document) => readMedicationAdministration(document.resource))
        .filter((read) => read.scheduledAt !== undefined)
        .map((read) => `${read.orderId}@${new Date(read.scheduledAt ?? '').toISOString()}`),
    );
    const open = orders.flatMap((order) =>
      scheduledDoseTimes(order.timing, new Date(NOW.getTime() - 1.5 * HOUR_MS), NOW).map((at) => `${order.id}@${at.toISOString()}`),
    );
    for (const dose of open) expect(recorded.has(dose), dose).toBe(false);
  });

  it('gives as-needed orders two doses, the last one an interval back', () => {
    const orders = ofType(demo.documents.records.map((entry) => entry.document), 'MedicationRequest')
      .map((order) => readMedicationOrder(order.resource))
      .filter((order) => order.asNeeded);
    expect(orders.length).toBeGreaterThan(0);
    const administrations = ofType(demo.documents.entries.map((entry) => entry.document), 'MedicationAdministration').map((document) => readMedicationAdministration(document.resource));
    for (const order of orders) {
      expect(order.asNeededFor?.text).toBe('Pain or fever');
      expect(order.maxDosePerPeriod).toEqual({ amount: { value: 4, unit: 'g', code: 'g' }, periodHours: 24 });
      const given = administrations.filter((administration) => administration.orderId === order.id);
      expect(given).toHaveLength(2);
      for (const administration of given) {
        expect(administration.scheduledAt).toBeUndefined();
        expect(administration.reason).toBe('Pain or fever');
        expect(NOW.getTime() - Date.parse(administration.effectiveDateTime)).toBeGreaterThanOrEqual(4 * HOUR_MS);
      }
    }
  });

  it('passes the server push validation', () => {
    const documents = [
      ...ofType(demo.documents.records.map((entry) => entry.document), 'MedicationRequest').slice(0, 3).map((document) => ['records', document] as const),
      ...ofType(demo.documents.entries.map((entry) => entry.document), 'MedicationAdministration').slice(0, 3).map((document) => ['entries', document] as const),
      ...ofType(demo.documents.records.map((entry) => entry.document), 'MedicationRequest')
        .filter((document) => readMedicationOrder(document.resource).asNeeded)
        .slice(0, 1)
        .map((document) => ['records', document] as const),
      ...ofType(demo.documents.entries.map((entry) => entry.document), 'MedicationAdministration')
        .filter((document) => readMedicationAdministration(document.resource).reason !== undefined)
        .slice(0, 1)
        .map((document) => ['entries', document] as const),
    ];
    for (const [collection, document] of documents) expect(() => validatePushedDocument(collection, document, noLocations)).not.toThrow();
  });
});

describe('medication write rules', () => {
  const session = (roles: ('nurse' | 'doctor' | 'pharmacist')[]) => ({ userId: 'user-x', workstationId: 'ws', wardId: 'ward-4a', roles, exp: 0, iat: 0 }) as never;
  const administration = { id: 'MedicationAdministration/a', resourceType: 'MedicationAdministration', code: `${GTIN_SYSTEM}|09520123456788` };
  const order = { id: 'MedicationRequest/o', resourceType: 'MedicationRequest' };

  it('lets nurses and doctors record administrations', () => {
    expect(() => checkWritePermission(session(['nurse']), administration)).not.toThrow();
    expect(() => checkWritePermission(session(['doctor']), administration)).not.toThrow();
  });

  it('refuses administrations from pharmacists', () => {
    expect(() => checkWritePermission(session(['pharmacist']), administration)).toThrow(/needs the role nurse or doctor/);
  });

  it('refuses orders from every workstation role', () => {
    expect(() => checkWritePermission(session(['doctor']), order)).toThrow(/medication orders come from the central HMS/);
    expect(() => checkWritePermission(session(['nurse']), order)).toThrow(/medication orders come from the central HMS/);
  });
});
