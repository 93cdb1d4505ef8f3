import { HmsApiError } from '../../../preload/api/errors.js';
import type { PatientChart, PatientSearchResult, SessionInfo } from '../../../preload/api/schemas.js';
import type { ServerClient } from '../../../sync/client/server-client.js';
import { ServerUnreachableError } from '../../../sync/client/server-client.js';
import type { AuthorizedRequest } from '../../../sync/client/sync-authorization.js';
import { SignInRequiredError } from '../../../sync/client/sync-authorization.js';
import type { RecordDocument } from '../../../sync/protocol/documents.js';
import type { PatientSearchIndex } from '../../../sync/replica/patient-index.js';
import type { Clock } from '../clock.js';
import { ageInYears } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { ChartReader } from './chart-reader.js';
import { buildChart } from './chart-view.js';
import { EmergencyAccessReader } from './emergency-access.js';
import { displayName, gender, mrn } from './fhir-views.js';
import type { ReplicaReader } from './replica-reader.js';
import type { WardService } from './ward-service.js';

const MAX_RESULTS = 50;

export interface PatientServiceOptions {
  reader: ReplicaReader;
  index: PatientSearchIndex;
  /** This workstation's ward, whose patients rank first. */
  wardId: string;
  ward: WardService;
  server: ServerClient;
  /** Sends a request with the sync sign-in's access token; fails with SignInRequiredError without one. */
  authorized: AuthorizedRequest;
  workstationId: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Finding patients and opening their charts: patients of the ward from the replica; patients of
 * other wards only through the server, by breaking the glass with a reason that the audit trail
 * records and the server reports.
 */
export class PatientService {
  /** Emergency-access documents by patient id, for the current session only. */
  readonly #emergency = new Map<string, { reader: EmergencyAccessReader; access: NonNullable<PatientChart['emergencyAccess']> }>();

  constructor(private readonly options: PatientServiceOptions) {}

  async search(query: string): Promise<PatientSearchResult[]> {
    const local = await this.#searchReplica(query);
    const remote = await this.#searchServer(query);
    const localIds = new Set(local.map((result) => result.patientId));
    return [...local, ...remote.filter((result) => !localIds.has(result.patientId))].slice(0, MAX_RESULTS);
  }

  async chart(patientId: string): Promise<PatientChart> {
    const emergency = this.#emergency.get(patientId);
    if (emergency && !(await this.options.reader.patient(patientId))) {
      const chart = (await buildChart(emergency.reader, patientId, this.options.clock, 'emergency')) as PatientChart;
      return { ...chart, emergencyAccess: emergency.access };
    }
    return this.options.ward.chart(patientId);
  }

  /** The reader of a patient's chart: the replica, or their emergency-access documents. */
  async readerFor(patientId: string): Promise<ChartReader | undefined> {
    if (await this.options.reader.patient(patientId)) return this.options.reader;
    return this.#emergency.get(patientId)?.reader;
  }

  async breakTheGlass(patientId: string, reason: string, session: SessionInfo): Promise<PatientChart> {
    if (await this.options.reader.patient(patientId)) return this.options.ward.chart(patientId);

    let response;
    try {
      response = await this.options.authorized((token) => this.options.server.emergencyAccess(token, patientId, reason, this.options.workstationId));
    } catch (error) {
      if (error instanceof SignInRequiredError) {
        throw new HmsApiError({ code: 'unavailable', message: 'Emergency access to a patient of another ward needs an online sign-in first' });
      }
      if (error instanceof ServerUnreachableError) {
        throw new HmsApiError({ code: 'unavailable', message: 'Emergency access to a patient of another ward needs the central server, which is unreachable; their records are not on this workstation' });
      }
      throw error;
    }
    const reader = new EmergencyAccessReader(response);
    const chart = await buildChart(reader, patientId, this.options.clock, 'emergency');
    if (!chart) throw new HmsApiError({ code: 'not-found', message: `The central server has no patient ${patientId}` });
    const access = { reason, openedAt: this.options.clock.now().toISOString(), openedBy: session.user.displayName };
    this.#emergency.set(patientId, { reader, access });
    this.options.logger.warn({ patientId, userId: session.user.id }, 'emergency access to a patient of another ward');
    return { ...chart, emergencyAccess: access };
  }

  /** Forgets every emergency-access document, at sign-out or when another user signs in. */
  endEmergencyAccess(): void {
    this.#emergency.clear();
  }

  /** Searches the replica's index; one read of the Locations names every result's ward and bed. */
  async #searchReplica(query: string): Promise<PatientSearchResult[]> {
    const { index, wardId, clock, reader } = this.options;
    const matches = index.search(query, { wardId, limit: MAX_RESULTS });
    const placements = new Map(matches.map((patient) => [patient.patientId, index.placementOf(patient.patientId)]));
    const locationIds = [...new Set([...placements.values()].flatMap((placement) => (placement ? [placement.wardId, placement.locationId] : [])))].filter(Boolean);
    const locations = locationIds.length > 0 ? await reader.locations(locationIds) : new Map<string, { name?: unknown }>();
    const nameOf = (id: string | undefined) => {
      const name = id ? locations.get(id)?.name : undefined;
      return typeof name === 'string' ? name : null;
    };
    return matches.map((patient) => {
      const placement = placements.get(patient.patientId);
      return {
        patientId: patient.patientId,
        name: patient.displayName ?? 'Name not known',
        mrn: patient.mrn || null,
        birthDate: patient.birthDate || null,
        ageYears: patient.birthDate ? ageInYears(patient.birthDate, clock.now()) : null,
        gender: patient.gender ?? 'unknown',
        wardName: nameOf(placement?.wardId),
        bed: nameOf(placement?.locationId),
        inScope: true,
      };
    });
  }

  async #searchServer(query: string): Promise<PatientSearchResult[]> {
    try {
      const results = await this.options.authorized((token) => this.options.server.searchPatients(token, query));
      return results.map(({ patient, wardName, bed }) => {
        const resource = patient.resource as RecordDocument['resource'];
        const birthDate = typeof resource.birthDate === 'string' ? resource.birthDate : null;
        return {
          patientId: resource.id as string,
          name: displayName(resource),
          mrn: mrn(resource),
          birthDate,
          ageYears: birthDate ? ageInYears(birthDate, this.options.clock.now()) : null,
          gender: gender(resource),
          wardName,
          bed,
          inScope: false,
        };
      });
    } catch (error) {
      // Offline, the search covers this workstation's ward only; that is not an error for the user.
      this.options.logger.info({ reason: error instanceof Error ? error.name : 'unknown' }, 'patient search of other wards unavailable');
      return [];
    }
  }
}
