import type { EntryDocument, FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';

/**
 * Where a patient's chart is read from: the replica for patients of the ward, or the documents the
 * server released for one patient under emergency access.
 */
export interface ChartReader {
  patient(patientId: string): Promise<RecordDocument | undefined>;
  activeEncounterOf(patientId: string): Promise<RecordDocument | undefined>;
  locations(locationIds: string[]): Promise<Map<string, FhirResource>>;
  allergies(patientIds: string[]): Promise<Map<string, FhirResource[]>>;
  /** Vital signs panels, newest first. */
  vitalSigns(patientId: string, limit: number): Promise<EntryDocument[]>;
  /** The newest SpO2 scale decision, if a clinician made one. */
  spo2ScaleDecision(patientId: string): Promise<EntryDocument | undefined>;
}
