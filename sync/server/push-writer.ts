import type { CollectionName } from '../protocol/collections.js';
import type { ReplicatedDocument } from '../protocol/documents.js';
import type { ConflictAuthor, PushRejection, PushRow, WireDocument } from '../protocol/wire.js';
import type { Session } from './auth.js';
import type { ServerTestHooks } from './context.js';
import { compareCodeUnits, sameJson } from './canonical-json.js';
import { notifyChanges } from './change-feed.js';
import type { Queryable } from './database/index.js';
import type { DocumentRow, StoredDocument } from './document-store.js';
import { insertDocument, lockDocument, replayPatientDocuments, updateDocument } from './document-store.js';
import { badRequest, HttpError } from './errors.js';
import { loadDerivationContext } from './locations.js';
import { validatePushedDocument } from './push-validation.js';
import type { PushedSpecimen } from './specimen-accessions.js';
import { rejectDuplicateAccessions } from './specimen-accessions.js';
import { affectsMembership, isActiveEncounter, recentlyDepartedFrom, refreshWardMembership, scopesOfPatients } from './ward-membership.js';
import { checkCreatePermission, checkUpdatePermission, checkWritePermission } from './write-permissions.js';

export interface PushResult {
  conflicts: WireDocument[];
  /** Authors of the documents in `conflicts`, in the same order. */
  conflictAuthors: ConflictAuthor[];
  /** Rows refused one by one, with the status each would have got alone; the others stand. */
  rejected: PushRejection[];
  /** Documents inserted or updated. */
  written: number;
  /** The documents among `written` that the server did not have before. */
  inserted: number;
  /** Documents already in the pushed state, such as a replayed push. */
  unchanged: number;
  /** The AuditEvents among `written` and among `unchanged`. */
  auditEventsWritten: number;
  auditEventsUnchanged: number;
}

interface ValidatedRow {
  row: PushRow;
  derived: ReplicatedDocument;
}

function patientIdOf(derived: ReplicatedDocument): string {
  return 'patientId' in derived ? derived.patientId : '';
}

function isAuditEvent(derived: ReplicatedDocument): boolean {
  return derived.resourceType === 'AuditEvent';
}

/** The live Specimens among the rows, whose accession numbers must be unique. */
function specimensOf(rows: readonly ValidatedRow[]): PushedSpecimen[] {
  return rows.flatMap(({ row, derived }) =>
    'accession' in derived && derived.accession !== undefined && !row.newDocumentState._deleted ? [{ id: derived.id, accession: derived.accession }] : [],
  );
}

/**
 * Decides which patients this push may write. A patient is in scope when they belong to the
 * session's ward or laboratory department (ward-membership.ts). A patient in no ward at all is in
 * scope too when this same push admits them to the session's ward: a new or readmitted patient,
 * registered at the bedside. An outpatient known only to a lab, through an order, counts as in no
 * ward.
 */
async function scopeChecker(transaction: Queryable, rows: readonly ValidatedRow[], session: Session) {
  const scopesByPatient = await scopesOfPatients(transaction, [...new Set(rows.map(({ derived }) => patientIdOf(derived)))]);
  const admittedHere = new Set(
    rows
      .filter(({ row, derived }) => !row.newDocumentState._deleted && isActiveEncounter(derived.resource) && 'wardId' in derived && derived.wardId === session.wardId)
      .map(({ derived }) => patientIdOf(derived)),
  );

  return async (patientId: string): Promise<boolean> => {
    if (!scopesByPatient.has(patientId)) {
      const loaded = await scopesOfPatients(transaction, [patientId]);
      scopesByPatient.set(patientId, loaded.get(patientId) ?? new Map());
    }
    const scopes = scopesByPatient.get(patientId) ?? new Map();
    const inAnyWard = [...scopes.values()].includes('encounter');
    return scopes.has(session.wardId) || (!inAnyWard && admittedHere.has(patientId));
  };
}

/**
 * Runs one row's check and returns its refusal: an HttpError (invalid or not allowed) refuses that
 * row alone. Any other error is the server's own failure and fails the whole push, so that nothing
 * is set aside for it.
 */
function refusalOf(id: string, check: () => void): PushRejection | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!(error instanceof HttpError) || error.statusCode >= 500) throw error;
    return { id, status: error.statusCode, reason: error.message };
  }
}

/**
 * Applies a push inside one transaction, following RxDB's replication model: each row's
 * `assumedMasterState` must equal the stored document, compared as canonical JSON, or the stored
 * document is returned as a conflict. Two cases skip that check: a row whose id has nothing stored
 * is inserted, and a row whose new state already equals the stored document (a replayed push) is a
 * no-op. The new state is stored exactly as sent.
 *
 * Every row must be valid, be allowed to the session's roles (write-permissions.ts) and, except
 * for AuditEvents, be about a patient of the session's ward; a stored AuditEvent never changes. A
 * row that breaks one of these rules is refused alone, listed in `rejected` with the status (400
 * or 403) and the reason, and the rest of the push is written: one document the server will never
 * accept must not hold back a ward's queue behind it (SYNC-14).
 *
 * `testHooks`, set only by tests, pause or fail the transaction between its reads and its writes
 * and before COMMIT.
 */
export async function applyPush(
  transaction: Queryable,
  collection: CollectionName,
  rows: readonly PushRow[],
  session: Session,
  testHooks?: ServerTestHooks,
): Promise<PushResult> {
  const context = await loadDerivationContext(transaction);
  const rejected: PushRejection[] = [];
  const validated: ValidatedRow[] = [];
  for (const row of rows) {
    const id = row.newDocumentState.id;
    let derived: ReplicatedDocument | undefined;
    const refusal = refusalOf(id, () => {
      const assumedId = row.assumedMasterState?.id;
      if (assumedId !== undefined && assumedId !== id) throw badRequest(`Document ${id}: assumedMasterState has another id, ${assumedId}`);
      derived = validatePushedDocument(collection, row.newDocumentState, context);
      checkWritePermission(session, derived);
    });
    if (refusal) rejected.push(refusal);
    else if (derived) validated.push({ row, derived });
  }

  const isInScope = await scopeChecker(transaction, validated, session);
  const lateEntryPatients =
    collection === 'entries' ? await recentlyDepartedFrom(transaction, session.wardId, [...new Set(validated.map(({ derived }) => patientIdOf(derived)))]) : new Set<string>();
  const inScope: ValidatedRow[] = [];
  for (const entry of validated) {
    const { derived } = entry;
    // AuditEvents may name patients of any ward: a workstation audits its emergency access to them.
    // A new clinical entry for a patient who left this ward lately was charted before the
    // workstation knew; it belongs in the record.
    if (isAuditEvent(derived) || lateEntryPatients.has(patientIdOf(derived)) || (await isInScope(patientIdOf(derived)))) {
      inScope.push(entry);
    } else {
      rejected.push({ id: derived.id, status: 403, reason: `Document ${derived.id}: patient ${patientIdOf(derived)} is not in ward ${session.wardId}, so this workstation may not write it` });
    }
  }
  const duplicates = await rejectDuplicateAccessions(transaction, specimensOf(inScope));
  rejected.push(...duplicates);
  const rejectedIds = new Set(duplicates.map((rejection) => rejection.id));

  const result: PushResult = { conflicts: [], conflictAuthors: [], rejected, written: 0, inserted: 0, unchanged: 0, auditEventsWritten: 0, auditEventsUnchanged: 0 };
  const membershipPatients = new Set<string>();
  const writer = { userId: session.userId, workstationId: session.workstationId };
  // Lock rows in id order, so that two pushes of the same documents take their row locks in the
  // same order and do not deadlock on them.
  const ordered = inScope.filter(({ derived }) => !rejectedIds.has(derived.id)).sort((a, b) => compareCodeUnits(a.derived.id, b.derived.id));
  const documentIds = ordered.map(({ derived }) => derived.id);

  // Every stored row is locked before anything is written: a concurrent push of the same document
  // waits here until this transaction ends, and then reads the state this one wrote.
  const lockedStates: (StoredDocument | undefined)[] = [];
  for (const { derived } of ordered) lockedStates.push(await lockDocument(transaction, collection, derived.id));
  await testHooks?.afterLock?.(documentIds);

  for (const [index, { row, derived }] of ordered.entries()) {
    const documentRow: DocumentRow = { collection, document: row.newDocumentState, derived };
    const audit = isAuditEvent(derived);
    let current = lockedStates[index];
    if (!current) {
      // Nothing stored: write it even when the client assumed a master state, because there is no
      // master to return as a conflict and dropping the write would lose it.
      const refusal = refusalOf(derived.id, () => checkCreatePermission(session, derived));
      if (refusal) {
        rejected.push(refusal);
        continue;
      }
      if (await insertDocument(transaction, documentRow, writer)) {
        result.written++;
        result.inserted++;
        if (audit) result.auditEventsWritten++;
        if (affectsMembership(derived.resourceType)) membershipPatients.add(patientIdOf(derived));
        continue;
      }
      // A concurrent push inserted this id after our lock found nothing: compare with its row.
      current = await lockDocument(transaction, collection, derived.id);
      if (!current) throw new Error(`Document ${derived.id} is neither insertable nor present`);
    }

    if (audit) {
      if (sameJson(current.document, row.newDocumentState)) {
        result.unchanged++;
        result.auditEventsUnchanged++;
      } else {
        rejected.push({
          id: derived.id,
          status: 403,
          reason: `Document ${derived.id}: AuditEvents are immutable, and the pushed one differs from the stored one. Push a new AuditEvent with a new id instead`,
        });
      }
      continue;
    }

    if (current.patientId !== patientIdOf(derived) && !(await isInScope(current.patientId))) {
      rejected.push({ id: derived.id, status: 403, reason: `Document ${derived.id}: the stored document is about patient ${current.patientId}, who is not in ward ${session.wardId}` });
      continue;
    }
    if (sameJson(current.document, row.newDocumentState)) {
      result.unchanged++;
    } else if (row.assumedMasterState !== undefined && sameJson(current.document, row.assumedMasterState)) {
      const stored = current.document;
      const refusal = refusalOf(derived.id, () => checkUpdatePermission(session, stored, row.newDocumentState));
      if (refusal) {
        rejected.push(refusal);
        continue;
      }
      await updateDocument(transaction, documentRow, writer);
      result.written++;
      if (affectsMembership(derived.resourceType)) membershipPatients.add(patientIdOf(derived));
    } else {
      result.conflicts.push(current.document);
      result.conflictAuthors.push(current.writtenBy);
    }
  }

  // AuditEvents never reach workstations, so writing only AuditEvents gives them nothing to pull.
  const changedCollections = new Set<CollectionName>(result.written > result.auditEventsWritten ? [collection] : []);
  const gained = await refreshWardMembership(transaction, [...membershipPatients]);
  if ((await replayPatientDocuments(transaction, [...new Set(gained.map((membership) => membership.patientId))])) > 0) {
    changedCollections.add('records');
    changedCollections.add('entries');
  }
  if (changedCollections.size > 0) await notifyChanges(transaction, changedCollections);
  await testHooks?.beforeCommit?.(documentIds);
  return result;
}
