import { join } from 'node:path';

import { pino } from 'pino';

import { fixedClock } from '../../../main/core/clock.js';
import { EditBases } from '../../../main/core/services/edit-bases.js';
import { LocalWriter } from '../../../main/core/services/local-writer.js';
import { RecordSyncStates } from '../../../main/core/services/record-sync-state.js';
import { ReplicaReader } from '../../../main/core/services/replica-reader.js';
import type { SessionInfo } from '../../../preload/api/schemas.js';
import { ConflictLog } from '../../../sync/client/conflict-log.js';
import { Outbox } from '../../../sync/client/outbox.js';
import type { ConflictDocument } from '../../../sync/protocol/conflict-rules.js';
import { resolveConflict } from '../../../sync/protocol/conflict-rules.js';
import type { FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { toRecordDocument } from '../../../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../../../sync/protocol/fhir/identifiers.js';
import type { WireDocument } from '../../../sync/protocol/wire.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';

/** Shared set-up of the review services' tests: a replica with one ward patient, its outbox and conflict log. */

export const CLOCK = fixedClock('2026-12-04T10:00:00.000Z');
export const SILENT = pino({ level: 'silent' });

export const NURSE: SessionInfo = {
  user: { id: 'user-nurse', username: 'nurse', displayName: 'Demo Nurse', roles: ['nurse'] },
  ward: { id: 'ward-4a', name: 'Ward 4A' },
  workstationId: 'ws-test',
  signedInAt: '2026-12-04T08:00:00.000Z',
  mode: 'online',
  lockAfterMinutes: 10,
};

export const PATIENT: FhirResource = {
  resourceType: 'Patient',
  id: 'p-1',
  birthDate: '1980-05-01',
  name: [{ use: 'official', family: 'Muller', given: ['Ana'] }],
  identifier: [{ system: MRN_SYSTEM, value: '10000001' }],
  telecom: [{ id: 'phone', system: 'phone', value: '07700 900000' }],
};

export function recordOf(resource: FhirResource): RecordDocument {
  return toRecordDocument(resource, { wardOfLocation: () => undefined });
}

/** Returns a Patient as it travels and as the conflict log keeps it: the stored fields and RxDB's deletion flag. */
export function conflictDocument(resource: FhirResource): RecordDocument & ConflictDocument {
  return { ...recordOf(resource), _deleted: false };
}

export function wireDocument(resource: FhirResource): WireDocument {
  return conflictDocument(resource) as unknown as WireDocument;
}

export interface ReviewSetup {
  directory: ReturnType<typeof makeTempDirectory>;
  replica: ReplicaDatabase;
  outbox: Outbox;
  conflicts: ConflictLog;
  bases: EditBases;
  reader: ReplicaReader;
  writer: LocalWriter;
  states: RecordSyncStates;
  close(): Promise<void>;
}

export async function openReviewSetup(name: string): Promise<ReviewSetup> {
  const directory = makeTempDirectory(name);
  const replica = await openTestReplica(directory.path, name);
  const file = join(directory.path, `${name}.sqlite`);
  const outbox = new Outbox(file, undefined, { now: () => CLOCK.now() });
  const conflicts = new ConflictLog(file);
  const bases = new EditBases(file);
  await replica.records.insert(recordOf(PATIENT));
  return {
    directory,
    replica,
    outbox,
    conflicts,
    bases,
    reader: new ReplicaReader(replica),
    writer: new LocalWriter(replica, outbox, bases),
    states: new RecordSyncStates(outbox, conflicts),
    async close() {
      await replica.close();
      outbox.close();
      conflicts.close();
      bases.close();
      directory.remove();
    },
  };
}

/** Records a conflict the way the replication does, from the three versions of a Patient. */
export function recordConflict(conflicts: ConflictLog, versions: { base: FhirResource; local: FhirResource; server: FhirResource }) {
  const local = conflictDocument(versions.local);
  const server = conflictDocument(versions.server);
  const resolution = resolveConflict({ local, master: server, base: conflictDocument(versions.base) });
  const record = conflicts.record({ collection: 'records', local, server, resolution, detectedAt: CLOCK.now() });
  if (!record) throw new Error('The versions were the same, so no conflict was recorded');
  return record;
}
