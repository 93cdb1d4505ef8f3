import type { EntryDocument, FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { SPO2_SCALE_KEY, VITAL_SIGNS_PANEL_KEY } from '../../../sync/protocol/fhir/vital-signs.js';
import type { EmergencyAccessResponse } from '../../../sync/protocol/wire.js';
import type { ChartReader } from './chart-reader.js';

/**
 * The documents the server released for one patient of another ward under emergency access. They
 * stay in memory for the session only, never in the replica, and the chart built from them is
 * read-only.
 */
export class EmergencyAccessReader implements ChartReader {
  readonly #records: RecordDocument[];
  readonly #entries: EntryDocument[];
  readonly #locations: Map<string, FhirResource>;

  constructor(response: EmergencyAccessResponse) {
    this.#records = response.records as unknown as RecordDocument[];
    this.#entries = (response.entries as unknown as EntryDocument[]).filter((entry) => entry.resourceType !== 'AuditEvent');
    this.#locations = new Map(response.reference.map((document) => [document.resource.id as string, document.resource as FhirResource]));
  }

  async patient(patientId: string): Promise<RecordDocument | undefined> {
    return this.#records.find((document) => document.resourceType === 'Patient' && document.patientId === patientId);
  }

  async activeEncounterOf(patientId: string): Promise<RecordDocument | undefined> {
    // The server counts a patient on leave as still admitted, and so does the chart.
    return this.#records.find(
      (document) => document.resourceType === 'Encounter' && document.patientId === patientId && ['in-progress', 'onleave'].includes(document.resource.status as string),
    );
  }

  async locations(locationIds: string[]): Promise<Map<string, FhirResource>> {
    return new Map(locationIds.flatMap((id) => (this.#locations.has(id) ? [[id, this.#locations.get(id) as FhirResource]] : [])));
  }

  async allergies(patientIds: string[]): Promise<Map<string, FhirResource[]>> {
    return new Map(
      patientIds.map((id) => [id, this.#records.filter((document) => document.resourceType === 'AllergyIntolerance' && document.patientId === id).map((document) => document.resource)]),
    );
  }

  async vitalSigns(patientId: string, limit: number): Promise<EntryDocument[]> {
    return this.#newest(patientId, VITAL_SIGNS_PANEL_KEY).slice(0, limit);
  }

  async spo2ScaleDecision(patientId: string): Promise<EntryDocument | undefined> {
    return this.#newest(patientId, SPO2_SCALE_KEY)[0];
  }

  #newest(patientId: string, code: string): EntryDocument[] {
    return this.#entries
      .filter((entry) => entry.patientId === patientId && entry.code === code)
      .sort((a, b) => (a.effective < b.effective ? 1 : a.effective > b.effective ? -1 : 0));
  }
}
