import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fixedClock } from '../../../main/core/clock.js';
import { LocalWriter } from '../../../main/core/services/local-writer.js';
import { RecordSyncStates } from '../../../main/core/services/record-sync-state.js';
import { ReplicaReader } from '../../../main/core/services/replica-reader.js';
import { VitalsService } from '../../../main/core/services/vitals-service.js';
import { WardService } from '../../../main/core/services/ward-service.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import { ConflictLog } from '../../../sync/client/conflict-log.js';
import { Outbox } from '../../../sync/client/outbox.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../../../sync/protocol/fhir/identifiers.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';

const CLOCK = fixedClock('2026-12-04T10:00:00.000Z');
const OBSERVATION_ID = '0b6f7c1e-5a7d-4c41-9b0e-2f1d6c3a9e10';
const NURSE: SessionInfo = {
  user: { id: 'user-nurse', username: 'nurse', displayName: 'Demo Nurse', roles: ['nurse'] },
  ward: { id: 'ward-4a', name: 'Ward 4A' },
  workstationId: 'ws-test',
  signedInAt: '2026-12-04T08:00:00.000Z',
  mode: 'online',
  lockAfterMinutes: 10,
};

describe('VitalsService', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let replica: ReplicaDatabase;
  let outbox: Outbox;
  let conflicts: ConflictLog;
  let vitals: VitalsService;

  beforeEach(async () => {
    directory = makeTempDirectory('vitals');
    replica = await openTestReplica(directory.path, 'vitals-test');
    outbox = new Outbox(join(directory.path, 'vitals-test.sqlite'));
    const reader = new ReplicaReader(replica);
    const ward = new WardService(reader, CLOCK);
    const readerFor = async (patientId: string) => ((await reader.patient(patientId)) ? reader : undefined);
    conflicts = new ConflictLog(join(directory.path, 'vitals-test.sqlite'));
    vitals = new VitalsService(reader, readerFor, ward, new LocalWriter(replica, outbox), CLOCK, pino({ level: 'silent' }), new RecordSyncStates(outbox, conflicts));
    const patient = { resourceType: 'Patient', id: 'p-1', birthDate: '1980-05-01', identifier: [{ system: MRN_SYSTEM, value: '10000001' }] };
    await replica.records.insert(toRecordDocument(patient, { wardOfLocation: () => undefined }));
  });

  afterEach(async () => {
    await replica.close();
    outbox.close();
    conflicts.close();
    directory.remove();
  });

  it('charts a set with its NEWS2 score and counts it as unsent', async () => {
    const set = await vitals.record({ patientId: 'p-1', observations: { respiratoryRate: 22, pulse: 95 } }, NURSE);

    expect(set.news2.subScores).toEqual({ respiratoryRate: 2, pulse: 1 });
    expect(set.news2.total).toBeNull();
    expect(set.recordedBy).toBe('Demo Nurse');
    expect(set.effectiveDateTime).toBe('2026-12-04T10:00:00.000Z');
    expect(outbox.count()).toBe(1);
  });

  it('stores a retried save with the same observation id once', async () => {
    const input = { patientId: 'p-1', observationId: OBSERVATION_ID, observations: { pulse: 88 } };

    const first = await vitals.record(input, NURSE);
    const retry = await vitals.record(input, NURSE);

    expect(retry).toEqual(first);
    expect(first.id).toBe(OBSERVATION_ID);
    expect(await replica.entries.count().exec()).toBe(1);
    expect(outbox.count()).toBe(1);
  });

  it('refuses an observation time in the future', async () => {
    const input = { patientId: 'p-1', effectiveDateTime: '2026-12-04T11:00:00Z', observations: { pulse: 88 } };

    await expect(vitals.record(input, NURSE)).rejects.toMatchObject({ code: 'invalid-input', issues: [{ path: 'effectiveDateTime' }] });
    expect(await replica.entries.count().exec()).toBe(0);
  });

  it('refuses a patient the replica does not hold', async () => {
    await expect(vitals.record({ patientId: 'p-unknown', observations: { pulse: 88 } }, NURSE)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('scores later sets on scale 2 once a doctor sets it', async () => {
    const doctor = { ...NURSE, user: { ...NURSE.user, id: 'user-doctor', displayName: 'Demo Doctor', roles: ['doctor' as const] } };

    const chart = await vitals.setSpO2Scale('p-1', 2, doctor);
    const set = await vitals.record({ patientId: 'p-1', observations: { spo2: 89 } }, NURSE);

    expect(chart.spo2Scale).toEqual({ scale: 2, decidedBy: 'Demo Doctor', decidedAt: '2026-12-04T10:00:00.000Z' });
    expect(set.news2.scale).toBe(2);
    expect(set.news2.subScores.spo2).toBe(0);
  });

  it('lists each set with its sync state', async () => {
    const synced = await vitals.record({ patientId: 'p-1', observations: { pulse: 70 }, effectiveDateTime: '2026-12-04T07:00:00Z' }, NURSE);
    const refused = await vitals.record({ patientId: 'p-1', observations: { pulse: 80 }, effectiveDateTime: '2026-12-04T08:00:00Z' }, NURSE);
    const pending = await vitals.record({ patientId: 'p-1', observations: { pulse: 90 }, effectiveDateTime: '2026-12-04T09:00:00Z' }, NURSE);
    outbox.confirm('entries', outbox.sequences('entries', [`Observation/${synced.id}`]));
    outbox.reject('entries', `Observation/${refused.id}`, 'HTTP 403: not in ward', CLOCK.now());

    const listed = await vitals.list('p-1');

    expect(pending.syncState).toBe('pending');
    expect(listed.map((set) => [set.id, set.syncState])).toEqual([
      [pending.id, 'pending'],
      [refused.id, 'rejected'],
      [synced.id, 'synced'],
    ]);
  });
});
