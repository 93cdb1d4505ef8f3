import type { EntryDocument, FhirResource, RecordDocument, ReferenceDocument } from '../../../sync/protocol/documents.js';
import { documentId } from '../../../sync/protocol/documents.js';
import { SPO2_SCALE_KEY, VITAL_SIGNS_PANEL_KEY } from '../../../sync/protocol/fhir/vital-signs.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { ChartReader } from './chart-reader.js';

/**
 * The queries the ward services run against the replica, each on an index of its collection. It
 * returns plain documents; turning them into what a screen shows is the services' job.
 */
export class ReplicaReader implements ChartReader {
  constructor(private readonly replica: ReplicaDatabase) {}

  async patient(patientId: string): Promise<RecordDocument | undefined> {
    const document = await this.replica.records.findOne(documentId('Patient', patientId)).exec();
    return document?.toJSON() as RecordDocument | undefined;
  }

  async patients(patientIds: string[]): Promise<Map<string, RecordDocument>> {
    const found = await this.replica.records.findByIds(patientIds.map((id) => documentId('Patient', id))).exec();
    return new Map([...found.values()].map((document) => [document.patientId, document.toJSON() as RecordDocument]));
  }

  /** In-progress encounters whose current location lies on `wardId`. */
  async activeEncounters(wardId: string): Promise<RecordDocument[]> {
    const found = await this.replica.records.find({ selector: { resourceType: 'Encounter', wardId } }).exec();
    return found.map((document) => document.toJSON() as RecordDocument).filter((document) => document.resource.status === 'in-progress');
  }

  async activeEncounterOf(patientId: string): Promise<RecordDocument | undefined> {
    const found = await this.replica.records.find({ selector: { resourceType: 'Encounter', patientId } }).exec();
    return found.map((document) => document.toJSON() as RecordDocument).find((document) => document.resource.status === 'in-progress');
  }

  async locations(locationIds: string[]): Promise<Map<string, FhirResource>> {
    const found = await this.replica.reference.findByIds(locationIds.map((id) => documentId('Location', id))).exec();
    return new Map([...found.values()].map((document) => [document.resource.id as string, (document.toJSON() as ReferenceDocument).resource]));
  }

  async allergies(patientIds: string[]): Promise<Map<string, FhirResource[]>> {
    const byPatient = new Map<string, FhirResource[]>(patientIds.map((id) => [id, []]));
    if (patientIds.length === 0) return byPatient;
    const found = await this.replica.records.find({ selector: { resourceType: 'AllergyIntolerance', patientId: { $in: patientIds } } }).exec();
    for (const document of found) byPatient.get(document.patientId)?.push((document.toJSON() as RecordDocument).resource);
    return byPatient;
  }

  /** A document of the records collection by its id (`ResourceType/id`). */
  async record(id: string): Promise<RecordDocument | undefined> {
    const document = await this.replica.records.findOne(id).exec();
    return document?.toJSON() as RecordDocument | undefined;
  }

  async entry(id: string): Promise<EntryDocument | undefined> {
    const document = await this.replica.entries.findOne(id).exec();
    return document?.toJSON() as EntryDocument | undefined;
  }

  /** Vital signs panels of a patient, newest first. */
  async vitalSigns(patientId: string, limit: number): Promise<EntryDocument[]> {
    return this.#newestEntries(patientId, VITAL_SIGNS_PANEL_KEY, limit);
  }

  /** Returns the newest SpO2 scale decision for a patient, if a clinician made one. */
  async spo2ScaleDecision(patientId: string): Promise<EntryDocument | undefined> {
    return (await this.#newestEntries(patientId, SPO2_SCALE_KEY, 1))[0];
  }

  async #newestEntries(patientId: string, code: string, limit: number): Promise<EntryDocument[]> {
    const found = await this.replica.entries
      .find({
        selector: { patientId, code },
        sort: [{ patientId: 'desc' }, { code: 'desc' }, { effective: 'desc' }],
        limit,
      })
      .exec();
    return found.map((document) => document.toJSON() as EntryDocument);
  }
}
