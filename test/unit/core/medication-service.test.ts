import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AuditTrail } from '../../../main/core/audit/audit-trail.js';
import { fixedClock } from '../../../main/core/clock.js';
import { MedicationReader } from '../../../main/core/medication/medication-reader.js';
import { MedicationService } from '../../../main/core/medication/medication-service.js';
import { LocalWriter } from '../../../main/core/services/local-writer.js';
import { RecordSyncStates } from '../../../main/core/services/record-sync-state.js';
import { ReplicaReader } from '../../../main/core/services/replica-reader.js';
import { HmsApiError } from '../../../preload/api/errors.js';
import type { MarView } from '../../../preload/api/medication-schemas.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import { ConflictLog } from '../../../sync/client/conflict-log.js';
import { Outbox } from '../../../sync/client/outbox.js';
import type { EntryDocument } from '../../../sync/protocol/documents.js';
import { toRecordDocument, toReferenceDocument } from '../../../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../../../sync/protocol/fhir/identifiers.js';
import { BCMA_OVERRIDE_EXTENSION } from '../../../sync/protocol/fhir/medication.js';
import { medicationAdministrationResource } from '../../../sync/protocol/fhir/medication-schemas.js';
import { FORMULARY, formularyMedication, medicationOrder, medicationOrderId, REGIMENS } from '../../../sync/server/seed/medication-orders.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';

/** 12:05 local time, five minutes after the noon paracetamol dose. */
const NOW = new Date(2026, 11, 4, 12, 5);
const CLOCK = fixedClock(NOW);
const at = (hours: number) => new Date(2026, 11, 4, hours).toISOString();
const NURSE: SessionInfo = {
  user: { id: 'user-nurse', username: 'nurse', displayName: 'Demo Nurse', roles: ['nurse'] },
  ward: { id: 'ward-4a', name: 'Ward 4A' },
  workstationId: 'ws-test',
  signedInAt: '2026-12-04T08:00:00.000Z',
  mode: 'online',
  lockAfterMinutes: 10,
};
const PARACETAMOL_ORDER = medicationOrderId('p-1', REGIMENS.paracetamol);
const pack = (gtin: string, expiry = '301231') => `]d201${gtin}10LOT7\u001d17${expiry}`;
const PARACETAMOL_PACK = pack(FORMULARY.paracetamol500.gtin);
const noLocations = { wardOfLocation: () => undefined };

function doseOf(view: MarView, orderId: string, scheduledAt: string) {
  return view.doses.find((dose) => dose.orderId === orderId && dose.scheduledAt === scheduledAt);
}

describe('MedicationService', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let replica: ReplicaDatabase;
  let outbox: Outbox;
  let conflicts: ConflictLog;
  let service: MedicationService;
  let options: ConstructorParameters<typeof MedicationService>[0];

  beforeEach(async () => {
    directory = makeTempDirectory('medication');
    replica = await openTestReplica(directory.path, 'medication-test');
    const file = join(directory.path, 'medication-test.sqlite');
    outbox = new Outbox(file);
    conflicts = new ConflictLog(file);
    const logger = pino({ level: 'silent' });
    options = {
      reader: new ReplicaReader(replica),
      medications: new MedicationReader(replica),
      writer: new LocalWriter(replica, outbox),
      audit: new AuditTrail(replica, 'ws-test', CLOCK, logger),
      states: new RecordSyncStates(outbox, conflicts),
      clock: CLOCK,
      logger,
      windowMinutes: 30,
    };
    service = new MedicationService(options);

    const startedAt = new Date(2026, 11, 3, 9, 0);
    for (const [patientId, mrn] of [['p-1', '10000001'], ['p-2', '10000002']] as const) {
      await replica.records.insert(toRecordDocument({ resourceType: 'Patient', id: patientId, identifier: [{ system: MRN_SYSTEM, value: mrn }] }, noLocations));
    }
    const prescriber = { prescriber: { reference: 'Practitioner/user-doctor', display: 'Demo Doctor' } };
    await replica.records.insert(toRecordDocument(medicationOrder('p-1', REGIMENS.paracetamol, startedAt, prescriber), noLocations));
    await replica.records.insert(toRecordDocument(medicationOrder('p-2', REGIMENS.furosemide, startedAt, prescriber), noLocations));
    for (const product of Object.values(FORMULARY)) await replica.reference.insert(toReferenceDocument(formularyMedication(product), noLocations));
  });

  afterEach(async () => {
    await replica.close();
    outbox.close();
    conflicts.close();
    directory.remove();
  });

  async function administrations(): Promise<EntryDocument[]> {
    const found = await replica.entries.find({ selector: { resourceType: 'MedicationAdministration' } }).exec();
    return found.map((document) => document.toJSON() as EntryDocument);
  }

  it('lists overdue, due and upcoming doses by time', async () => {
    const view = await service.mar('p-1');

    expect(view.now).toBe(NOW.toISOString());
    expect(view.orders).toEqual([
      expect.objectContaining({ id: PARACETAMOL_ORDER, dose: '1 g', route: 'Oral route', frequency: 'Four times a day at 06:00, 12:00, 18:00 and 22:00', status: 'active' }),
    ]);
    expect(doseOf(view, PARACETAMOL_ORDER, at(6))?.state).toBe('overdue');
    expect(doseOf(view, PARACETAMOL_ORDER, at(12))?.state).toBe('due');
    expect(doseOf(view, PARACETAMOL_ORDER, at(18))?.state).toBe('upcoming');
    expect(view.doses.map((dose) => dose.scheduledAt)).toEqual([...view.doses.map((dose) => dose.scheduledAt)].sort());
  });

  it('records a checked dose with lot and expiry', async () => {
    const check = await service.check({ patientId: 'p-1', wristbandMrn: '10000001', scan: PARACETAMOL_PACK });
    expect(check.outcome).toBe('pass');
    expect(check.order?.dose).toBe('1 g');

    const view = await service.administer({ patientId: 'p-1', wristbandMrn: '10000001', scan: PARACETAMOL_PACK, orderId: PARACETAMOL_ORDER, scheduledAt: at(12) }, NURSE);

    const dose = doseOf(view, PARACETAMOL_ORDER, at(12));
    expect(dose?.state).toBe('given');
    expect(dose?.administration).toMatchObject({ performer: 'Demo Nurse', lot: 'LOT7', expiry: '2030-12-31', overridden: false, syncState: 'pending' });
    const stored = await administrations();
    expect(stored).toHaveLength(1);
    expect(medicationAdministrationResource.safeParse(stored[0]?.resource).success).toBe(true);
    expect(outbox.count()).toBe(1);
  });

  it('keeps a given dose after its order is stopped', async () => {
    await service.administer({ patientId: 'p-1', wristbandMrn: '10000001', scan: PARACETAMOL_PACK, orderId: PARACETAMOL_ORDER, scheduledAt: at(12) }, NURSE);
    const order = await replica.records.findOne(`MedicationRequest/${PARACETAMOL_ORDER}`).exec();
    if (order === null) throw new Error('The paracetamol order is not in the replica');
    const { resource } = order.toMutableJSON();
    await order.incrementalPatch({ resource: { ...resource, status: 'stopped' } });

    const view = await service.mar('p-1');
    expect(view.orders.find((entry) => entry.id === PARACETAMOL_ORDER)?.status).toBe('stopped');
    expect(view.doses.map((dose) => [dose.scheduledAt, dose.state])).toEqual([[at(12), 'given']]);
    expect(doseOf(view, PARACETAMOL_ORDER, at(12))?.administration).toMatchObject({ performer: 'Demo Nurse', lot: 'LOT7' });
  });

  it('stores a retried save once', async () => {
    const input = { patientId: 'p-1', wristbandMrn: '10000001', scan: PARACETAMOL_PACK, orderId: PARACETAMOL_ORDER, scheduledAt: at(12), administrationId: '6f1c2b1e-0d3a-4b7e-9c55-1a2b3c4d5e6f' };
    await service.administer(input, NURSE);
    await service.administer(input, NURSE);
    expect(await administrations()).toHaveLength(1);
    expect(outbox.count()).toBe(1);
  });

  it('needs a reason to override a missing wristband', async () => {
    const input = { patientId: 'p-1', wristbandMrn: null, scan: PARACETAMOL_PACK, orderId: PARACETAMOL_ORDER, scheduledAt: at(12) };

    await expect(service.administer(input, NURSE)).rejects.toMatchObject({ code: 'invalid-input' });
    expect(await administrations()).toHaveLength(0);

    const view = await service.administer({ ...input, overrideReason: 'Wristband unreadable, identity checked verbally' }, NURSE);
    expect(doseOf(view, PARACETAMOL_ORDER, at(12))?.administration?.overridden).toBe(true);
    const [stored] = await administrations();
    const resource = stored?.resource as unknown as { extension: { url: string; extension?: { url: string; valueCode?: string; valueString?: string }[] }[]; note: { text: string }[] };
    const override = resource.extension.find((extension) => extension.url === BCMA_OVERRIDE_EXTENSION);
    expect(override?.extension).toEqual([
      { url: 'problem', valueCode: 'patient-not-identified' },
      { url: 'reason', valueString: 'Wristband unreadable, identity checked verbally' },
    ]);
    expect(resource.note[0]?.text).toContain('Wristband unreadable');
    const audits = await replica.entries.find({ selector: { resourceType: 'AuditEvent' } }).exec();
    const subtypes = audits.map((audit) => (audit.resource as unknown as { subtype: { code: string }[] }).subtype[0]?.code);
    expect(subtypes).toEqual(['bcma-override']);
  });

  it('refuses an expired pack even with a reason', async () => {
    const expired = pack(FORMULARY.paracetamol500.gtin, '261203');
    const check = await service.check({ patientId: 'p-1', wristbandMrn: '10000001', scan: expired });
    expect(check.problems.map((problem) => problem.code)).toEqual(['expired']);

    const attempt = service.administer(
      { patientId: 'p-1', wristbandMrn: '10000001', scan: expired, orderId: PARACETAMOL_ORDER, scheduledAt: at(12), overrideReason: 'No other pack on the ward tonight' },
      NURSE,
    );
    await expect(attempt).rejects.toBeInstanceOf(HmsApiError);
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
    expect(await administrations()).toHaveLength(0);
  });

  it('calls another patient medication a wrong patient', async () => {
    const check = await service.check({ patientId: 'p-1', wristbandMrn: '10000001', scan: pack(FORMULARY.furosemide40.gtin) });
    expect(check.outcome).toBe('blocked');
    expect(check.problems.map((problem) => problem.code)).toEqual(['wrong-patient']);
    expect(check.match).toBeNull();
  });

  it('refuses a save for another dose than the check matched', async () => {
    const attempt = service.administer({ patientId: 'p-1', wristbandMrn: '10000001', scan: PARACETAMOL_PACK, orderId: PARACETAMOL_ORDER, scheduledAt: at(18) }, NURSE);
    await expect(attempt).rejects.toMatchObject({ code: 'conflict' });
  });

  it('holds a due dose once', async () => {
    const view = await service.hold({ patientId: 'p-1', orderId: PARACETAMOL_ORDER, scheduledAt: at(6), reason: 'nil-by-mouth' }, NURSE);
    const dose = doseOf(view, PARACETAMOL_ORDER, at(6));
    expect(dose?.state).toBe('held');
    expect(dose?.administration?.holdReason).toBe('Nil by mouth');
    const [stored] = await administrations();
    expect(medicationAdministrationResource.safeParse(stored?.resource).success).toBe(true);

    await expect(service.hold({ patientId: 'p-1', orderId: PARACETAMOL_ORDER, scheduledAt: at(6), reason: 'patient-refused' }, NURSE)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses a patient who is not on the ward', async () => {
    await expect(service.mar('p-9')).rejects.toMatchObject({ code: 'not-found' });
  });

  describe('as-needed orders', () => {
    const PRN_ORDER = medicationOrderId('p-2', REGIMENS.paracetamolAsNeeded);
    const PRN_INPUT = { patientId: 'p-2', wristbandMrn: '10000002', scan: PARACETAMOL_PACK, orderId: PRN_ORDER };
    /** Returns the service with its clock at `at`, for doses given at other times. */
    const serviceAt = (at: Date) => new MedicationService({ ...options, clock: fixedClock(at) });

    beforeEach(async () => {
      const prescriber = { prescriber: { reference: 'Practitioner/user-doctor', display: 'Demo Doctor' } };
      await replica.records.insert(toRecordDocument(medicationOrder('p-2', REGIMENS.paracetamolAsNeeded, new Date(2026, 11, 3, 9, 0), prescriber), noLocations));
    });

    it('records a dose with its reason', async () => {
      const check = await service.check({ patientId: 'p-2', wristbandMrn: '10000002', scan: PARACETAMOL_PACK });
      expect(check.outcome).toBe('pass');
      expect(check.match).toMatchObject({ orderId: PRN_ORDER, scheduledAt: null, asNeeded: { lastGivenAt: null, nextAllowedAt: null } });
      expect(check.order).toMatchObject({ asNeeded: true, indication: 'Pain or fever' });

      const view = await service.administer({ ...PRN_INPUT, asNeededReason: 'Pain or fever' }, NURSE);

      const [section] = view.asNeeded;
      expect(section?.lastGiven).toMatchObject({ effectiveDateTime: NOW.toISOString(), performer: 'Demo Nurse', reason: 'Pain or fever', syncState: 'pending' });
      expect(section?.maxima[0]).toMatchObject({ given: 1, max: 4, unit: 'g' });
      expect(section?.nextAllowedAt).toBe(new Date(2026, 11, 4, 16, 5).toISOString());
      const [stored] = await administrations();
      expect(medicationAdministrationResource.safeParse(stored?.resource).success).toBe(true);
      const resource = stored?.resource as unknown as { reasonCode: unknown; extension?: unknown };
      // The order's indication keeps its SNOMED CT coding.
      expect(resource.reasonCode).toEqual([{ coding: [{ system: 'http://snomed.info/sct', code: '22253000', display: 'Pain' }], text: 'Pain or fever' }]);
      expect(resource.extension).toBeUndefined();
    });

    it('stores another reason as text', async () => {
      await service.administer({ ...PRN_INPUT, asNeededReason: 'Headache' }, NURSE);
      const [stored] = await administrations();
      expect((stored?.resource as unknown as { reasonCode: unknown }).reasonCode).toEqual([{ text: 'Headache' }]);
    });

    it('needs a reason for the dose', async () => {
      await expect(service.administer(PRN_INPUT, NURSE)).rejects.toMatchObject({ code: 'invalid-input' });
      expect(await administrations()).toHaveLength(0);
    });

    it('needs an override reason for an early dose', async () => {
      await service.administer({ ...PRN_INPUT, asNeededReason: 'Pain or fever' }, NURSE);
      const later = serviceAt(new Date(2026, 11, 4, 14, 5));

      const check = await later.check({ patientId: 'p-2', wristbandMrn: '10000002', scan: PARACETAMOL_PACK });
      expect(check.problems.map((problem) => problem.code)).toEqual(['as-needed-too-soon']);
      await expect(later.administer({ ...PRN_INPUT, asNeededReason: 'Pain or fever' }, NURSE)).rejects.toMatchObject({ code: 'invalid-input' });

      const view = await later.administer({ ...PRN_INPUT, asNeededReason: 'Pain or fever', overrideReason: 'Vomited the last dose, Dr Demo agreed' }, NURSE);
      expect(view.asNeeded[0]?.lastGiven?.overridden).toBe(true);
      expect(view.asNeeded[0]?.dosesInLast24Hours).toBe(2);
    });

    it('refuses a dose over the maximum even with a reason', async () => {
      for (const hour of [0, 4, 8, 12]) {
        await serviceAt(new Date(2026, 11, 4, hour, 5)).administer({ ...PRN_INPUT, asNeededReason: 'Pain or fever' }, NURSE);
      }
      const attempt = serviceAt(new Date(2026, 11, 4, 16, 30)).administer({ ...PRN_INPUT, asNeededReason: 'Pain or fever', overrideReason: 'Severe pain, waiting for the doctor' }, NURSE);
      await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
      expect(await administrations()).toHaveLength(4);
    });

    it('refuses a save with a scheduled time', async () => {
      await expect(service.administer({ ...PRN_INPUT, scheduledAt: at(12), asNeededReason: 'Pain or fever' }, NURSE)).rejects.toMatchObject({ code: 'conflict' });
    });
  });
});
