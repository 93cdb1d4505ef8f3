import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { RxChangeEvent } from 'rxdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { EntryDocument } from '../../sync/protocol/documents.js';
import { toEntryDocument } from '../../sync/protocol/documents.js';
import { buildVitalSignsPanel } from '../../sync/protocol/fhir/vital-signs.js';
import type { ReplicaDatabase } from '../../sync/replica/replica.js';
import { openReplica } from '../../sync/replica/replica.js';
import { makeTempDirectory } from '../support/replica.js';

/** The replica's collection change streams, which replace RxDB's own (sync/replica/change-events.ts). */

function vitalSigns(id: string, pulse: number): EntryDocument {
  return toEntryDocument(
    buildVitalSignsPanel({
      id,
      patientId: 'p-1',
      effectiveDateTime: '2026-03-02T08:00:00.000Z',
      performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
      observations: { respiratoryRate: 16, spo2: 97, onOxygen: false, systolicBloodPressure: 124, pulse, consciousness: 'A', temperature: 36.8 },
      scale: 1,
    }),
  );
}

/** Returns V8's full garbage collection, which vitest does not expose as `gc`. */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('replica change events', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let replica: ReplicaDatabase;

  beforeEach(async () => {
    directory = makeTempDirectory('change-events');
    replica = await openReplica({ directory: directory.path, name: 'change-events' });
  });

  afterEach(async () => {
    await replica.close();
    directory.remove();
  });

  it('emits inserts, updates and deletions', async () => {
    const events: RxChangeEvent<EntryDocument>[] = [];
    const subscription = replica.entries.$.subscribe((event) => events.push(event));

    const inserted = await replica.entries.insert(vitalSigns('v-1', 72));
    await inserted.incrementalPatch({ effective: '2026-03-02T09:00:00.000Z' });
    await inserted.getLatest().remove();
    subscription.unsubscribe();

    expect(events.map((event) => event.operation)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(events.map((event) => event.documentId)).toEqual(['Observation/v-1', 'Observation/v-1', 'Observation/v-1']);
    expect(events.every((event) => event.collectionName === 'entries' && !event.isLocal)).toBe(true);
    expect(events[0]?.documentData.effective).toBe('2026-03-02T08:00:00.000Z');
    expect(events[0]?.previousDocumentData).toBeUndefined();
    expect(events[1]?.documentData.effective).toBe('2026-03-02T09:00:00.000Z');
    expect(events[1]?.previousDocumentData?.effective).toBe('2026-03-02T08:00:00.000Z');
  });

  it('gives every subscriber the events of a bulk', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const subscriptions = [replica.entries.$.subscribe((event) => first.push(event.documentId)), replica.entries.$.subscribe((event) => second.push(event.documentId))];

    await replica.entries.bulkInsert([vitalSigns('v-2', 70), vitalSigns('v-3', 80)]);
    for (const subscription of subscriptions) subscription.unsubscribe();

    expect(first.sort()).toEqual(['Observation/v-2', 'Observation/v-3']);
    expect(second.sort()).toEqual(['Observation/v-2', 'Observation/v-3']);
  });

  it('keeps insert$ and remove$ working', async () => {
    const inserts: string[] = [];
    const removals: string[] = [];
    const subscriptions = [replica.entries.insert$.subscribe((event) => inserts.push(event.documentId)), replica.entries.remove$.subscribe((event) => removals.push(event.documentId))];

    const inserted = await replica.entries.insert(vitalSigns('v-4', 75));
    await inserted.remove();
    for (const subscription of subscriptions) subscription.unsubscribe();

    expect(inserts).toEqual(['Observation/v-4']);
    expect(removals).toEqual(['Observation/v-4']);
  });

  it('lets the events of old bulks be collected', async () => {
    const collect = garbageCollector();
    let firstEvent: WeakRef<object> | undefined;
    const subscription = replica.entries.$.subscribe((event) => (firstEvent ??= new WeakRef(event)));

    // RxDB's change event buffer keeps the last 100 events, so the first bulk must be older than that.
    for (let index = 0; index < 150; index += 1) await replica.entries.insert(vitalSigns(`v-gc-${index}`, 60 + (index % 40)));
    for (let round = 0; round < 3; round += 1) {
      collect();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    subscription.unsubscribe();

    expect(firstEvent).toBeDefined();
    expect(firstEvent?.deref()).toBeUndefined();
  });
});
