import type { RxCollection, RxJsonSchema } from 'rxdb';
import { createRxDatabase } from 'rxdb';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import type { FhirResource, RecordDocument } from '../../sync/protocol/documents.js';
import { toRecordDocument } from '../../sync/protocol/documents.js';
import { ACCESSION_SYSTEM, MRN_SYSTEM } from '../../sync/protocol/fhir/identifiers.js';
import type { MigrationProgress } from '../../sync/replica/migrations.js';
import { openReplica } from '../../sync/replica/replica.js';
import { entriesSchema, recordsSchema, referenceSchema } from '../../sync/replica/schemas.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../support/replica.js';

const REPLICA_NAME = 'replica';
const PATIENT_COUNT = 300;
const CONTEXT = { wardOfLocation: (locationId: string) => (locationId.startsWith('bed-4a-') ? 'ward-4a' : undefined) };

/** The records schema as version 0 of the workstation shipped it, before Specimens had an accession index. */
const recordsSchemaV0: RxJsonSchema<Omit<RecordDocument, 'accession'>> = {
  title: 'records',
  description: 'Editable resources: Patient, Encounter, AllergyIntolerance',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 100 },
    resourceType: { type: 'string', maxLength: 40 },
    resource: { type: 'object' },
    patientId: { type: 'string', maxLength: 64 },
    wardId: { type: 'string', maxLength: 64 },
    mrn: { type: 'string', maxLength: 64 },
    nameNorm: { type: 'string', maxLength: 200 },
  },
  required: ['id', 'resourceType', 'resource', 'patientId', 'wardId', 'mrn', 'nameNorm'],
  indexes: [['resourceType', 'patientId'], ['resourceType', 'wardId'], 'mrn', 'nameNorm'],
};

function patientRecords(index: number): RecordDocument[] {
  const patientId = `patient-${String(index).padStart(4, '0')}`;
  const resources: FhirResource[] = [
    {
      resourceType: 'Patient',
      id: patientId,
      identifier: [{ system: MRN_SYSTEM, value: String(10_000_000 + index) }],
      name: [{ use: 'official', family: `Family${index}`, given: ['Given'] }],
    },
    {
      resourceType: 'Encounter',
      id: `admission-${patientId}`,
      status: 'in-progress',
      subject: { reference: `Patient/${patientId}` },
      location: [{ location: { reference: `Location/bed-4a-${index}` }, status: 'active' }],
    },
    {
      resourceType: 'AllergyIntolerance',
      id: `allergy-${patientId}`,
      patient: { reference: `Patient/${patientId}` },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '91936005' }] },
    },
  ];
  return resources.map((resource) => toRecordDocument(resource, CONTEXT));
}

function specimenRecord(id: string, patientId: string, accession: string): RecordDocument {
  return toRecordDocument(
    {
      resourceType: 'Specimen',
      id,
      accessionIdentifier: { system: ACCESSION_SYSTEM, value: accession },
      subject: { reference: `Patient/${patientId}` },
      request: [{ reference: 'ServiceRequest/order-1' }],
    },
    CONTEXT,
  );
}

/** Writes a replica file as version 0 of the workstation left it. */
async function writeVersion0Replica(directory: string, documents: readonly RecordDocument[]): Promise<void> {
  useRxdbDevMode();
  const database = await createRxDatabase<{ records: RxCollection<RecordDocument> }>({ name: REPLICA_NAME, storage: validatedSqliteStorage(directory), multiInstance: false });
  await database.addCollections({ reference: { schema: referenceSchema }, records: { schema: recordsSchemaV0 }, entries: { schema: entriesSchema } });
  await database.records.bulkInsert([...documents]);
  await database.close();
}

describe('records schema version 1', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  const documents = Array.from({ length: PATIENT_COUNT }, (_, index) => patientRecords(index)).flat();

  beforeEach(async () => {
    directory = makeTempDirectory('records-migration');
    await writeVersion0Replica(directory.path, documents);
  });

  afterEach(() => directory.remove());

  it('migrates a version 0 file on open', async () => {
    const progress: MigrationProgress[] = [];
    const replica = await openReplica({ directory: directory.path, name: REPLICA_NAME, storage: validatedSqliteStorage(directory.path), onMigrationProgress: (step) => progress.push(step) });
    onTestFinished(async () => {
      await replica.close();
    });

    expect(recordsSchema.version).toBe(1);
    expect(replica.records.schema.version).toBe(1);
    expect(progress.at(-1)).toMatchObject({ collection: 'records', handled: documents.length, total: documents.length, percent: 100 });
    expect(await replica.records.count().exec()).toBe(documents.length);
  });

  it('keeps every old document unchanged', async () => {
    const replica = await openReplica({ directory: directory.path, name: REPLICA_NAME, storage: validatedSqliteStorage(directory.path) });
    onTestFinished(async () => {
      await replica.close();
    });

    const migrated = await replica.records.find().exec();
    const byId = new Map(migrated.map((document) => [document.id, document.toJSON()]));

    expect(byId.size).toBe(documents.length);
    for (const document of documents) expect(byId.get(document.id), document.id).toEqual(document);
    expect(migrated.filter((document) => 'accession' in document.toJSON())).toEqual([]);
  });

  it('finds a Specimen by accession through the index', async () => {
    const replica = await openReplica({ directory: directory.path, name: REPLICA_NAME, storage: validatedSqliteStorage(directory.path) });
    onTestFinished(async () => {
      await replica.close();
    });
    await replica.records.bulkInsert([specimenRecord('specimen-s1234', 'patient-0001', 'S1234'), specimenRecord('specimen-27', 'patient-0002', '27')]);

    const query = replica.records.find({ selector: { resourceType: 'Specimen', accession: 'S1234' } });
    const found = await query.exec();

    expect(found.map((document) => document.id)).toEqual(['Specimen/specimen-s1234']);
    expect(found[0]?.accession).toBe('S1234');
    expect(query.getPreparedQuery().queryPlan.index).toEqual(['_deleted', 'resourceType', 'accession', 'id']);
  });

  it('opens again without migrating twice', async () => {
    const first = await openReplica({ directory: directory.path, name: REPLICA_NAME, storage: validatedSqliteStorage(directory.path) });
    await first.close();
    const progress: MigrationProgress[] = [];

    const second = await openReplica({ directory: directory.path, name: REPLICA_NAME, storage: validatedSqliteStorage(directory.path), onMigrationProgress: (step) => progress.push(step) });
    onTestFinished(async () => {
      await second.close();
    });

    expect(progress).toEqual([]);
    expect(await second.records.count().exec()).toBe(documents.length);
  });
});
