import type { PatientChart, SpO2ScaleDecision, WardEnrolment, WardPatientRow } from '../../../preload/api/schemas.js';
import { HmsApiError } from '../../../preload/api/errors.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { referencedId } from '../../../sync/protocol/documents.js';
import { hasCoding, isLaboratoryDepartment } from '../../../sync/protocol/fhir/laboratory.js';
import type { Clock } from '../clock.js';
import { ageInYears } from '../clock.js';
import { buildChart, spo2ScaleOf } from './chart-view.js';
import { allergyView, bedOf, displayName, gender, mrn, news2SummaryOf, vitalSignsSetOf } from './fhir-views.js';
import type { ReplicaReader } from './replica-reader.js';

/** Vitals sets looked at to find the newest complete one for the ward list. */
const RECENT_SETS_FOR_LATEST_SCORE = 20;

/** Location.physicalType of a ward (FHIR location-physical-type `wa`). */
const WARD_PHYSICAL_TYPE = { system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'wa' };

/**
 * Read views of the ward: the ward list, the chart header and the kind of the enrolled Location.
 * Everything comes from the local replica, so they work while the central server is down.
 */
export class WardService {
  constructor(
    private readonly reader: ReplicaReader,
    private readonly clock: Clock,
  ) {}

  async listPatients(wardId: string): Promise<WardPatientRow[]> {
    const encounters = await this.reader.activeEncounters(wardId);
    const patientIds = [...new Set(encounters.map((encounter) => encounter.patientId))];
    const locationIds = encounters.flatMap((encounter) =>
      ((encounter.resource.location as { location?: unknown }[] | undefined) ?? []).map((entry) => referencedId(entry.location, 'Location')),
    );
    const [patients, locations, allergies] = await Promise.all([
      this.reader.patients(patientIds),
      this.reader.locations(locationIds.filter(Boolean)),
      this.reader.allergies(patientIds),
    ]);

    const rows: WardPatientRow[] = [];
    for (const encounter of encounters) {
      const patient = patients.get(encounter.patientId);
      if (!patient) continue;
      const recentSets = (await this.reader.vitalSigns(encounter.patientId, RECENT_SETS_FOR_LATEST_SCORE)).map((document) => ({ document, set: vitalSignsSetOf(document) }));
      const latestComplete = recentSets.find(({ set }) => set.news2.complete)?.document;
      const newest = recentSets[0]?.set;
      const allergy = allergyView(allergies.get(encounter.patientId) ?? []);
      const birthDate = typeof patient.resource.birthDate === 'string' ? patient.resource.birthDate : null;
      rows.push({
        patientId: encounter.patientId,
        bed: bedOf(encounter.resource, locations),
        name: displayName(patient.resource),
        birthDate,
        ageYears: birthDate ? ageInYears(birthDate, this.clock.now()) : null,
        gender: gender(patient.resource),
        mrn: mrn(patient.resource),
        allergyStatus: allergy.status,
        allergyCount: allergy.items.length,
        latestNews2: news2SummaryOf(latestComplete),
        latestVitals: newest
          ? { effectiveDateTime: newest.effectiveDateTime, complete: newest.news2.complete, singleParameterThree: newest.news2.singleParameterThree }
          : null,
      });
    }
    return rows.sort((a, b) => (a.bed ?? '\uffff').localeCompare(b.bed ?? '\uffff', 'en', { numeric: true }));
  }

  /** The chart header of a patient of the ward, from the replica. */
  async chart(patientId: string): Promise<PatientChart> {
    const chart = await buildChart(this.reader, patientId, this.clock, 'ward');
    if (!chart) {
      throw new HmsApiError({ code: 'not-found', message: `Patient ${patientId} is not on this workstation's ward or has not synced yet` });
    }
    return chart;
  }

  async spo2Scale(patientId: string): Promise<SpO2ScaleDecision> {
    return spo2ScaleOf(this.reader, patientId);
  }

  /** Reads whether the Location `wardId` is a ward or a laboratory department. */
  async enrolment(wardId: string): Promise<WardEnrolment> {
    const location = (await this.reader.locations([wardId])).get(wardId);
    return { kind: location === undefined ? null : enrolmentKind(location) };
  }
}

// NOTE: no Location type for a clinic is defined here, so a clinic's Location gets no kind and the header shows no label.
function enrolmentKind(location: FhirResource): WardEnrolment['kind'] {
  if (isLaboratoryDepartment(location)) return 'department';
  if (hasCoding([location.physicalType], WARD_PHYSICAL_TYPE)) return 'ward';
  return null;
}
