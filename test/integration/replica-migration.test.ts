import type { RxCollection, RxDatabase, RxJsonSchema } from 'rxdb';
import { createRxDatabase } from 'rxdb';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import type { MigrationProgress } from '../../sync/replica/migrations.js';
import { migrateCollections, useMigrationPlugin } from '../../sync/replica/migrations.js';
import { getRxStorageSQLite } from '../../sync/replica/sqlite/sqlite-storage.js';
import { makeTempDirectory } from '../support/replica.js';

const KEY = 'd4'.repeat(32);
const DOCUMENT_COUNT = 10_000;

interface ObservationV0 {
  id: string;
  patientId: string;
  effective: string;
  valueText: string;
}

interface ObservationV1 extends Omit<ObservationV0, 'valueText'> {
  /** Version 1 stores the value as a number and keeps its unit apart. */
  value: number;
  unit: string;
}

const schemaV0: RxJsonSchema<ObservationV0> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 100 },
    patientId: { type: 'string', maxLength: 64 },
    effective: { type: 'string', maxLength: 30 },
    valueText: { type: 'string' },
  },
  required: ['id', 'patientId', 'effective', 'valueText'],
  indexes: [['patientId', 'effective']],
};

const schemaV1: RxJsonSchema<ObservationV1> = {
  version: 1,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 100 },
    patientId: { type: 'string', maxLength: 64 },
    effective: { type: 'string', maxLength: 30 },
    value: { type: 'number', minimum: 0, maximum: 1000, multipleOf: 0.1 },
    unit: { type: 'string', maxLength: 20 },
  },
  required: ['id', 'patientId', 'effective', 'value', 'unit'],
  indexes: [['patientId', 'effective'], ['value', 'id']],
};

function splitValue(old: ObservationV0): ObservationV1 {
  const [amount = '', unit = ''] = old.valueText.split(' ');
  return { id: old.id, patientId: old.patientId, effective: old.effective, value: Number(amount), unit };
}

async function open(directory: string, version: 0 | 1, strategy: (old: ObservationV0) => ObservationV1 = splitValue) {
  useMigrationPlugin();
  const database = await createRxDatabase<{ observations: RxCollection }>({ name: 'migration', storage: getRxStorageSQLite({ directory, key: KEY }), multiInstance: false });
  await database.addCollections({
    observations: version === 0 ? { schema: schemaV0 } : { schema: schemaV1, migrationStrategies: { 1: strategy }, autoMigrate: false },
  });
  return database as RxDatabase<{ observations: RxCollection }>;
}

describe('replica schema migration', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(async () => {
    directory = makeTempDirectory('migration');
    const database = await open(directory.path, 0);
    const documents = Array.from({ length: DOCUMENT_COUNT }, (_, index) => ({
      id: `obs-${index}`,
      patientId: `patient-${index % 100}`,
      effective: new Date(Date.UTC(2026, 11, 1) + index * 60_000).toISOString(),
      valueText: `${36 + (index % 30) / 10} Cel`,
    }));
    for (let start = 0; start < DOCUMENT_COUNT; start += 2_000) await database.observations.bulkInsert(documents.slice(start, start + 2_000));
    await database.close();
  });

  afterEach(() => directory.remove());

  it('upgrades 10,000 documents to the next version, reporting progress', async () => {
    const database = await open(directory.path, 1);
    onTestFinished(async () => {
      await database.close();
    });
    const progress: MigrationProgress[] = [];

    await migrateCollections(database, (step) => progress.push(step));

    expect(await database.observations.count().exec()).toBe(DOCUMENT_COUNT);
    const sample = await database.observations.findOne('obs-7').exec();
    expect(sample?.toJSON()).toMatchObject({ id: 'obs-7', patientId: 'patient-7', value: 36.7, unit: 'Cel' });
    const feverish = await database.observations.count({ selector: { value: { $gte: 38.5 } } }).exec();
    const expectedFeverish = Array.from({ length: DOCUMENT_COUNT }, (_, index) => 36 + (index % 30) / 10).filter((value) => value >= 38.5).length;
    expect(feverish).toBe(expectedFeverish);
    expect(progress.at(-1)).toMatchObject({ collection: 'observations', handled: DOCUMENT_COUNT, total: DOCUMENT_COUNT, percent: 100 });
    expect(progress.some((step) => step.handled > 0 && step.handled < DOCUMENT_COUNT)).toBe(true);
  });

  it('leaves the old data intact when a migration fails', async () => {
    const failing = (old: ObservationV0): ObservationV1 => {
      if (old.id === 'obs-6000') throw new Error('unexpected unit in obs-6000');
      return splitValue(old);
    };
    const database = await open(directory.path, 1, failing);

    await expect(migrateCollections(database)).rejects.toThrow();
    await database.close();

    const old = await open(directory.path, 0);
    expect(await old.observations.count().exec()).toBe(DOCUMENT_COUNT);
    expect((await old.observations.findOne('obs-6000').exec())?.toJSON()).toMatchObject({ valueText: '36 Cel' });
    await old.close();
  });
});
