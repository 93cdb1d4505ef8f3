import { HmsApiError } from '../../../preload/api/errors.js';
import type { PatientContact, UpdateContactInput } from '../../../preload/api/patient-contact-schemas.js';
import type { ConflictLog } from '../../../sync/client/conflict-log.js';
import type { FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { documentId, toRecordDocument } from '../../../sync/protocol/documents.js';
import type { Logger } from '../logging/logger.js';
import type { ChartReader } from './chart-reader.js';
import type { LocalWriter } from './local-writer.js';
import { contactDetailsOf, sameNextOfKin, withNextOfKin, withPhone } from './patient-contact.js';
import type { RecordSyncStates } from './record-sync-state.js';
import type { ReplicaReader } from './replica-reader.js';

export interface ContactServiceOptions {
  reader: ReplicaReader;
  /** The replica for ward patients, or the emergency-access documents of another ward's patient. */
  readerFor: (patientId: string) => Promise<ChartReader | undefined>;
  writer: LocalWriter;
  states: RecordSyncStates;
  conflicts: ConflictLog;
  logger: Logger;
}

function notOnWard(patientId: string): HmsApiError {
  return new HmsApiError({ code: 'not-found', message: `Patient ${patientId} is not on this workstation's ward or has not synced yet` });
}

/**
 * A patient's phone number and next of kin: read with the Patient record's sync state, and edited
 * by ward staff. An edit lands in the replica through the local writer and syncs like any change.
 */
export class ContactService {
  constructor(private readonly options: ContactServiceOptions) {}

  async get(patientId: string): Promise<PatientContact> {
    const ward = await this.options.reader.patient(patientId);
    if (ward) return this.#view(ward, true);

    const emergency = await (await this.options.readerFor(patientId))?.patient(patientId);
    if (!emergency) throw notOnWard(patientId);
    // Emergency-access documents came from the server in this session and are never written here.
    return { ...this.#view(emergency, false), syncState: 'synced', openConflict: null };
  }

  async update(input: UpdateContactInput): Promise<PatientContact> {
    const patient = await this.options.reader.patient(input.patientId);
    if (!patient) {
      if (await this.options.readerFor(input.patientId)) {
        throw new HmsApiError({ code: 'forbidden', message: "Emergency access is read-only: the patient's own ward edits their contact details" });
      }
      throw notOnWard(input.patientId);
    }

    const changed = changedElements(patient.resource, input);
    if (changed.length === 0) return this.#view(patient, true);

    const written = await this.options.writer.updateRecord(documentId('Patient', input.patientId), (current) => ({
      ...current,
      ...toRecordDocument(applyContact(current.resource, input), { wardOfLocation: () => undefined }),
    }));
    this.options.logger.info({ patientId: input.patientId, elements: changed }, 'patient contact details changed');
    return this.#view(written, true);
  }

  #view(patient: RecordDocument, editable: boolean): PatientContact {
    const details = contactDetailsOf(patient.resource);
    const open = this.options.conflicts.openFor('records', patient.id)[0];
    return {
      patientId: patient.patientId,
      phone: details.phone,
      nextOfKin: details.nextOfKin,
      syncState: this.options.states.ofOne('records', patient.id),
      openConflict: open ? { id: open.id, rule: open.rule, elements: open.overlapping, detectedAt: open.detectedAt } : null,
      editable,
    };
  }
}

/** Lists the Patient elements that `input` changes, so that saving unchanged details writes nothing. */
function changedElements(resource: FhirResource, input: UpdateContactInput): string[] {
  const current = contactDetailsOf(resource);
  const changed: string[] = [];
  if (current.phone !== input.phone) changed.push('telecom');
  if (!sameNextOfKin(current.nextOfKin, input.nextOfKin)) changed.push('contact');
  return changed;
}

/**
 * Applies only the changed parts, so that an element this form did not change stays as the
 * server sent it and cannot meet another workstation's edit in a conflict.
 */
function applyContact(resource: FhirResource, input: UpdateContactInput): FhirResource {
  const changed = changedElements(resource, input);
  let next = resource;
  if (changed.includes('telecom')) next = withPhone(next, input.phone);
  if (changed.includes('contact')) next = withNextOfKin(next, input.nextOfKin);
  return next;
}
